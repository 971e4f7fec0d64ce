"""The customer's own words in a ticket's text: no HTML remnants, quoted or forwarded thread,
signature block after `-- `, legal disclaimer, phone footer or pasted machine output (log
lines, stack frames, monitoring alerts).

Mail clients mark these parts in a few well-known ways (Gmail's "On ... wrote:", Outlook's
underscore line and From/Sent block, "---------- Forwarded message ----------", "> " lines);
a reply that is only "see below" keeps the thread, since the report is there.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^<>]{0,300}>")
_REPLY_HEADER = re.compile(
    r"^\s*(on|el|em|le|am|il|op)\b.{0,160}\b(wrote|escribi[oó]|escreveu|va escriure|"
    r"a [ée]crit|schrieb|ha scritto|schreef)\s*:?\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*(_{8,}|-{2,}\s*(original message|mensaje original|mensagem original|"
    r"missatge original|forwarded message|mensaje reenviado|mensagem encaminhada|"
    r"missatge reenviat|begin forwarded message)\b.*)$",
    re.IGNORECASE,
)
_FROM = re.compile(r"^\s*(from|de|von|da)\s*:\s*\S", re.IGNORECASE)
_HEADER_FIELD = re.compile(
    r"^\s*(sent|enviado|enviat|date|fecha|data|to|para|per a|subject|asunto|assunto|"
    r"assumpte|cc)\s*:",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"^\s*(sent from my|enviado desde mi|enviado do meu|get outlook for|enviat des del meu|"
    r"obtener outlook para)\b",
    re.IGNORECASE,
)
_MACHINE = re.compile(
    r"^\s*(\d{4}-\d\d-\d\d[ T]\d\d:\d\d|at [\w$.]+\(|traceback \(|file \".*\", line \d|"
    r"[\w.]+(exception|error)\b.*:|\[(debug|info|warn|warning|error|critical|fatal)\]|"
    r"(debug|info|warn|warning|error|critical|fatal)\s*:)",
    re.IGNORECASE,
)
# A legal notice names its own circumstances ("if you received this in error"); a word such
# as "confidential" or "privileged" alone is a customer's sentence ("privileged memos leaked").
_DISCLAIMER_CUES = (
    "aviso legal",
    "confidentiality notice",
    "disclaimer",
    "intended recipient",
    "received this in error",
    "received this e-mail in error",
    "recibido por error",
    "recibido este mensaje por error",
    "notifíquelo al remitente",
    "notifiquelo al remitente",
    "notify the sender",
    "exclusivamente a su destinatario",
    "recebeu por engano",
    "avise o remetente",
    "rebut per error",
    "comuniqueu-ho al remitent",
    "before printing",
    "antes de imprimir",
)
ENOUGH_WORDS = 6  # fewer own words than this: a forward's "see below", keep the thread


def own_words(text: str) -> str:
    """The text without what the customer did not write now (see the module's docstring)."""
    plain = html.unescape(_TAG.sub(" ", text)).replace("\xa0", " ")
    lines = plain.splitlines()
    own: list[str] = []
    thread: list[str] = []
    for index, line in enumerate(lines):
        if _starts_thread(lines, index):
            thread = lines[index:]
            break
        if line.lstrip().startswith(">") or _FOOTER.match(line) or _MACHINE.match(line):
            continue
        if line.rstrip() == "--" and len(" ".join(own).split()) >= ENOUGH_WORDS:
            break  # the signature block
        own.append(line)
    kept = "\n".join(own)
    if len(kept.split()) < ENOUGH_WORDS and thread:
        kept = "\n".join([*own, *(t.lstrip("> ") for t in thread)])
    paragraphs = re.split(r"\n\s*\n", kept)
    return "\n\n".join(p.strip() for p in paragraphs if p.strip() and not _disclaimer(p))


def _starts_thread(lines: list[str], index: int) -> bool:
    line = lines[index]
    if _REPLY_HEADER.match(line) or _SEPARATOR.match(line):
        return True
    if _FROM.match(line):
        return any(_HEADER_FIELD.match(nxt) for nxt in lines[index + 1 : index + 4])
    return False


def _disclaimer(paragraph: str) -> bool:
    lowered = paragraph.casefold()
    return len(paragraph.split()) >= 15 and any(cue in lowered for cue in _DISCLAIMER_CUES)
