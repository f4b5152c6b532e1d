"""The app's CSS: highlight layers, tables, side-by-side duplicates. No external fonts or assets."""

CSS = """
.jg { font-size: 14px; line-height: 1.7; }
.jg .narr { white-space: pre-wrap; word-break: break-all; border: 1px solid #ddd; border-radius: 4px;
  padding: 8px 10px; background: #fff; color: #222; }
.jg .narr-field { margin-bottom: 12px; }
.jg .narr-head { font-weight: 600; margin: 6px 0 2px; }
.jg .count { font-weight: normal; color: #555; margin-left: 8px; font-size: 12px; }
.jg .count.over { color: #b00020; font-weight: 600; }
.jg .legend { margin: 4px 0 8px; font-size: 12px; }
.jg .legend .m { margin-right: 6px; padding: 0 4px; }
.jg .hint { color: #666; font-size: 12px; }
.jg .m { border-radius: 2px; }
.jg .l-evidence { background-color: #d9f2d0; }
.jg .l-direction { border-bottom: 2px solid #888; }
.jg .l-direction.d-smart { border-bottom-color: #1f5fbf; }
.jg .l-direction.d-digital { border-bottom-color: #7b3fb5; }
.jg .l-direction.d-green { border-bottom-color: #1d8a3a; }
.jg .l-sensitive { text-decoration: underline wavy #c00000; color: #8a0000; font-weight: 600; }
.jg .l-overflow { background-image: repeating-linear-gradient(45deg, rgba(220,0,0,.22) 0 4px, transparent 4px 8px);
  color: #7a0000; }
.jg .l-subpart { box-shadow: inset 0 -3px 0 rgba(240,150,0,.55); }
.jg .l-shared { background-color: #ffe08a; }
.jg .sec-tag { display: inline-block; font-size: 11px; background: #f0a000; color: #fff; border-radius: 3px;
  padding: 0 4px; margin-right: 3px; }
.jg .aspects { font-size: 12px; margin-top: 6px; }
.jg .aspect { display: inline-block; background: #eef; border-radius: 3px; padding: 0 4px; margin: 0 2px; }
.jg .aspect.q { font-weight: 700; }
.jg table.kv th { text-align: left; padding-right: 12px; white-space: nowrap; color: #444; vertical-align: top; }
.jg table.grid { border-collapse: collapse; width: 100%; }
.jg table.grid th, .jg table.grid td { border: 1px solid #ddd; padding: 3px 6px; vertical-align: top; }
.jg table.grid tr.mismatch td { background: #fde8e8; }
.jg .code { color: #777; font-size: 11px; font-family: monospace; }
.jg .sev { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; }
.jg .sev-error { background: #f8cbad; }
.jg .sev-warning { background: #ffe699; }
.jg .sev-info { background: #ddebf7; }
.jg .sev-none { background: #e2efda; }
.jg .ok { color: #1d6b2f; }
.jg .dup { border: 1px solid #e0c060; border-radius: 4px; padding: 6px; margin-bottom: 10px; }
.jg .dup-head { font-weight: 600; }
.jg .dup-cols { display: flex; gap: 10px; }
.jg .dup-col { flex: 1 1 0; min-width: 0; }
.jg .dup-title { font-weight: 600; color: #444; }
.jg .src { font-size: 11px; color: #777; font-weight: normal; }
.jg .excerpt { margin-bottom: 8px; }
.jg .picked { display: inline-block; background: #1d8a3a; color: #fff; font-size: 11px; border-radius: 3px;
  padding: 0 4px; }
.jg .notice { padding: 6px 10px; border-radius: 4px; background: #eef5ff; }
.jg .notice.warn { background: #fff4ce; }
.jg .notice.err { background: #fde8e8; color: #8a0000; }
/* the record tab: the decision panel stays in view while the reviewer scrolls through the record */
#record-body { align-items: flex-start; overflow: visible; }
/* Gradio's container hides its overflow, which makes it the scroll box a sticky element sticks in (it never
   scrolls itself): clip instead, which cuts the same overflow without being a scroll box */
.gradio-container { overflow: clip !important; }
#decision-panel { position: sticky; top: 8px; align-self: flex-start; max-height: calc(100vh - 16px);
  overflow-y: auto; z-index: 5; }
"""
