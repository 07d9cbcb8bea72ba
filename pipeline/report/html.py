"""report.html: one static page to review a batch run (no network, no external files
except the evidence crops and overlays beside it). Filter by finding code and
constituency with a few lines of plain JavaScript."""

from __future__ import annotations

import html
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.reconcile import Reconciliation

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:4px 6px;
vertical-align:top;text-align:left}th{background:#f3f3f3}
.error{color:#b00020;font-weight:600}.warning{color:#a15c00}.info{color:#225}
img.crop{max-width:260px;max-height:140px;border:1px solid #999}
.counts td:first-child{font-family:monospace}.filters{margin:12px 0}
.filters select{margin-right:12px}tr.hidden{display:none}
"""

SCRIPT = """
function applyFilters(){
  var code=document.getElementById('code').value,
      cons=document.getElementById('constituency').value, shown=0;
  document.querySelectorAll('#findings tbody tr').forEach(function(row){
    var ok=(!code||row.dataset.code===code)&&(!cons||row.dataset.constituency===cons);
    row.classList.toggle('hidden',!ok); if(ok){shown++;}
  });
  document.getElementById('shown').textContent=shown;
}
var params=new URLSearchParams(location.hash.slice(1));
if(params.get('code')){document.getElementById('code').value=params.get('code');}
if(params.get('constituency')){
  document.getElementById('constituency').value=params.get('constituency');}
document.getElementById('code').addEventListener('change',applyFilters);
document.getElementById('constituency').addEventListener('change',applyFilters);
applyFilters();
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _rel(path: str, out_dir: Path) -> str:
    if not path:
        return ""
    try:
        return os.path.relpath(path, out_dir)
    except ValueError:
        return path


def render_report(
    rows: Iterable[dict[str, str]],
    codes: Counter[str],
    constituencies: Iterable[str],
    recon: Reconciliation,
    summary: dict[str, object],
    overlays: dict[tuple[str, str], str],
    out_dir: Path,
) -> Iterator[str]:
    """The report page, piece by piece: `rows` (the findings table's, as findings.csv
    holds them) are read once, after the counts by code and the constituencies that the
    page's filters list; `overlays`: (form, page) -> the overlay's path."""
    rows_total = sum(codes.values())
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>tallyscope report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>tallyscope batch report</h1>",
        "<table class='counts'><tbody>",
    ]
    for key in (
        "inputs",
        "processed",
        "skipped_done",
        "duplicate_inputs",
        "failed",
        "refused",
        "pages",
        "forms_needing_review",
        "seconds",
    ):
        parts.append(
            f"<tr><th>{_e(key.replace('_', ' '))}</th><td>{_e(summary.get(key, ''))}</td></tr>"
        )
    parts.append("</tbody></table><h2>Findings by code</h2><table class='counts'><tbody>")
    for code, count in sorted(codes.items()):
        doc = (
            FINDING_DOCS.get(FindingCode(code), (None, ""))[1]
            if code in FindingCode.__members__
            else ""
        )
        parts.append(f"<tr><td>{_e(code)}</td><td>{count}</td><td>{_e(doc)}</td></tr>")
    parts.append(
        "</tbody></table><h2>Findings</h2><div class='filters'>"
        "<label>code <select id='code'><option value=''>all</option>"
    )
    parts += [f"<option>{_e(code)}</option>" for code in sorted(codes)]
    parts.append(
        "</select></label><label>constituency <select id='constituency'>"
        "<option value=''>all</option>"
    )
    parts += [f"<option>{_e(c)}</option>" for c in sorted(set(constituencies))]
    parts.append(
        "</select></label> showing <span id='shown'></span> of "
        f"{rows_total}</div><table id='findings'><thead><tr><th>form</th><th>page</th>"
        "<th>constituency</th><th>station</th><th>code</th><th>message</th>"
        "<th>evidence</th></tr></thead><tbody>"
    )
    yield "\n".join(parts)
    for row in rows:
        overlay = overlays.get((row["form"], row["page"]))
        form = _e(Path(row["form"].split(" ")[0]).name if row["form"] else "")
        if overlay:
            form = f"<a href='{_e(overlay)}'>{form}</a>"
        crop = _rel(row["crop"], out_dir)
        evidence = f"<img class='crop' src='{_e(crop)}' alt='evidence'><br>" if crop else ""
        evidence += _e(row["values"])
        yield (
            f"\n<tr data-code='{_e(row['code'])}' data-constituency='{_e(row['constituency'])}'>"
            f"<td>{form}</td><td>{_e(row['page'])}</td><td>{_e(row['constituency'])}</td>"
            f"<td>{_e(row['polling_station_number'])}</td>"
            f"<td class='{_e(row['severity'])}'>{_e(row['code'])}</td>"
            f"<td>{_e(row['message'])}</td><td>{evidence}</td></tr>"
        )
    yield (
        "\n</tbody></table><h2>Reconciliation: Form 45s against Form 47</h2>"
        "<table id='reconcile'><thead><tr><th>constituency</th><th>Form 45 stations</th>"
        "<th>Form 47</th><th>candidate</th><th>Form 47 total</th>"
        "<th>sum of Form 45s</th></tr></thead><tbody>"
    )
    for cons in recon.constituencies:
        for serial, values in sorted(cons.candidates.items()) or [("", {})]:
            mismatch = (
                values.get("form47") != values.get("sum_of_form45")
                and values.get("sum_of_form45") is not None
            )
            cls = " class='error'" if mismatch else ""
            yield (
                f"\n<tr{cls}><td>{_e(cons.constituency)}</td><td>{cons.form45_stations}</td>"
                f"<td>{'yes' if cons.form47_present else 'missing'}</td><td>{_e(serial)}</td>"
                f"<td>{_e(values.get('form47', ''))}</td>"
                f"<td>{_e(values.get('sum_of_form45', ''))}</td></tr>"
            )
    yield f"\n</tbody></table><script>{SCRIPT}</script></body></html>"
