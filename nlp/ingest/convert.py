"""Legacy .doc/.wps to .docx through LibreOffice headless, each conversion with its own profile."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import IngestError


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@contextmanager
def converted_to_docx(path: Path, display: str, timeout_s: int) -> Iterator[Path]:
    """Yield a temporary .docx converted from a legacy Word/WPS document."""
    exe = soffice_path()
    if exe is None:
        raise IngestError(display, "旧版Word/WPS文档（.doc/.wps）需用LibreOffice转换，本机未安装；"
                                   "请另存为 .docx 后重新提交，或安装LibreOffice后重试")
    with tempfile.TemporaryDirectory(prefix="jigai-convert-") as tmp:
        work = Path(tmp)
        source = work / ("input" + (path.suffix.lower() if path.suffix.lower() in (".doc", ".wps") else ".doc"))
        shutil.copyfile(path, source)
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "docx", "--outdir", str(work / "out"), str(source)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise IngestError(display, f"LibreOffice转换超时（{timeout_s}秒），请另存为 .docx 后重新提交") from None
        out = work / "out" / (source.stem + ".docx")
        if not out.exists():
            raise IngestError(display, "LibreOffice未能转换该文档，请另存为 .docx 后重新提交")
        yield out
