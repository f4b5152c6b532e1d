"""Demo accounts for ``jigai serve --demo-users``: one provincial and three city reviewers of the sample round.

Created only when the users file does not exist yet, each with a random password, printed on the console
and kept in ``demo-passwords.txt`` beside the users file (owner-only) so that a later start can point to it;
an existing users file is never touched.
"""
from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from .auth import User, hash_password, write_users

DEMO = (("province", "province", None), ("foshan", "city", "佛山市"), ("shantou", "city", "汕头市"),
        ("shaoguan", "city", "韶关市"))


def ensure_demo_users(path: Path, out=sys.stderr) -> dict[str, str]:
    """Create the demo users file if there is none; returns {username: password} of what it created."""
    path = Path(path)
    note = path.with_name("demo-passwords.txt")
    if path.exists():
        hint = f"；演示账号密码见 {note}" if note.exists() else ""
        print(f"使用已有的用户文件 {path}（未创建演示账号{hint}）", file=out)
        return {}
    created, users = {}, {}
    for name, role, city in DEMO:
        password = secrets.token_urlsafe(9)
        users[name] = User(name, role, city, hash_password(password))
        created[name] = password
    write_users(path, users)
    lines = [f"  {name:<9} {'省级' if role == 'province' else city:<5} 密码：{created[name]}" for name, role, city in DEMO]
    fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("演示账号（jigai serve --demo-users）：\n" + "\n".join(lines) + "\n")
    print(f"已创建演示账号（用户文件 {path}，密码另存于 {note}）：", file=out)
    print("\n".join(lines), file=out)
    return created
