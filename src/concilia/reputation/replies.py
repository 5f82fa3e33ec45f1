"""The reply desk: a public answer to a mention that says nothing about a debt or a person,
invites the author to a private channel, and passes outreach's compliance and tone checks.

Anyone can read a public reply, so it is judged as the strictest reader would see it: no debt
word, amount or reference; no name, tag, handle, e-mail or phone; and, through outreach's
service, the engine's verdict on the text as a private social message to someone whose
identity is not verified (where any hint of a debt is blocked) plus the tone check. Rules
about the medium of a collection message (the electronic opt-out line) do not apply to a
reply that carries none: they are reported as set aside, by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from concilia.outreach import service as outreach_service

LANGS = ("en", "fr", "es")
JURISDICTIONS = ("FR", "ES", "UK", "US")
# Rules on the medium of collection messages, which a reply without any collection content
# does not trigger in substance (by rule-id suffix).
MEDIUM_RULES = ("OPT-OUT-TEXT",)

DEBT_WORDS = re.compile(
    r"\b(debts?|owe[sd]?|owing|arrears?|balance|overdue|unpaid|payments?|pay|paid|amount|"
    r"invoices?|collections?|collectors?|creditors?|instal?ments?|account (?:number|no)|"
    r"dettes?|cr[ée]ances?|cr[ée]anciers?|impay[ée]s?|paiements?|payer|pay[ée]|montant|"
    r"factures?|[ée]ch[ée]ances?|arri[ée]r[ée]s?|recouvrer|deudas?|deudor(?:es|a)?|impagos?|"
    r"pagos?|pagar|importe|facturas?|cobros?|cobrar|acreedor(?:es)?|cuotas?|plazos?)\b",
    re.IGNORECASE,
)
AMOUNT = re.compile(
    r"[€$£]\s?\d|\d[\d.,\s]*\s?(?:€|\$|£|(?:eur|euros?|usd|gbp|dollars?)\b)", re.IGNORECASE
)
REFERENCE = re.compile(r"\b(?:[A-Z]{1,4}-\d{2,}|(?:n[°o]|dossier|file|expediente|ref)\.?\s*\d+)")
TAG = re.compile(r"(?<![\w.])@\w+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\+?\d[\d\s.()-]{6,}\d")
PRIVATE_INVITES = re.compile(
    r"(private message|direct message|\bDM\b|message us privately|privately|secure portal|"
    r"message priv[ée]|en priv[ée]|messagerie priv[ée]e|portail s[ée]curis[ée]|"
    r"mensaje privado|por privado|en privado|portal seguro|https?://\S+)",
    re.IGNORECASE,
)

SUGGESTIONS: dict[str, dict[str, str]] = {
    "en": {
        "default": "Thank you for your message. We would like to help: please send us a private "
        "message so that we can look into it with you confidentially.",
        "harassment": "We are sorry to read this. We want every contact to be respectful; please "
        "send us a private message so that we can look into what happened, confidentially.",
        "wrong_person": "Thank you for telling us. Please send us a private message so that we can "
        "check this with you confidentially and put it right if needed.",
        "scam_warning": "Thank you for the warning. To check that a message really comes from us, "
        "please contact us by private message from our official account only.",
        "praise": "Thank you for your kind words! If we can help with anything else, send us a "
        "private message.",
    },
    "fr": {
        "default": "Merci pour votre message. Nous souhaitons vous aider : écrivez-nous en "
        "message privé afin que nous puissions en parler avec vous en toute confidentialité.",
        "harassment": "Nous sommes désolés de lire cela. Chaque échange doit rester respectueux : "
        "écrivez-nous en message privé pour que nous puissions examiner ce qui s'est passé.",
        "wrong_person": "Merci de nous le signaler. Écrivez-nous en message privé afin que nous "
        "vérifiions cela avec vous en toute confidentialité.",
        "scam_warning": "Merci pour l'alerte. Pour vérifier qu'un message vient bien de nous, "
        "contactez-nous uniquement en message privé depuis notre compte officiel.",
        "praise": "Merci pour votre message ! Pour toute autre question, écrivez-nous en message "
        "privé.",
    },
    "es": {
        "default": "Gracias por su mensaje. Queremos ayudarle: escríbanos por mensaje privado "
        "para que podamos verlo con usted de forma confidencial.",
        "harassment": "Lamentamos leer esto. Todo contacto debe ser respetuoso: escríbanos por "
        "mensaje privado para que podamos revisar lo ocurrido.",
        "wrong_person": "Gracias por avisarnos. Escríbanos por mensaje privado para comprobarlo "
        "con usted de forma confidencial.",
        "scam_warning": "Gracias por el aviso. Para comprobar que un mensaje es nuestro, "
        "contáctenos solo por mensaje privado desde nuestra cuenta oficial.",
        "praise": "¡Gracias por sus palabras! Para cualquier otra cosa, escríbanos por mensaje "
        "privado.",
    },
}


@dataclass
class ReplyCheck:
    """Whether a public reply may be posted, and every reason it may not."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)
    tone: list[str] = field(default_factory=list)


def suggest(*, topic: str, lang: str) -> str:
    """A reply for a mention's topic in its language (English when not written)."""
    texts = SUGGESTIONS.get(lang, SUGGESTIONS["en"])
    return texts.get(topic, texts["default"])


def _own_problems(text: str, agency: str, about: Sequence[str]) -> list[str]:
    # The agency's own name may sign the reply ("Acme Recouvrement" holds a debt word).
    plain = re.sub(re.escape(agency), " ", text, flags=re.IGNORECASE) if agency else text
    problems: list[str] = []
    if found := DEBT_WORDS.search(plain):
        problems.append(f"mentions a debt or payment ({found.group(0)!r})")
    if found := AMOUNT.search(plain):
        problems.append(f"states an amount ({found.group(0).strip()!r})")
    if found := REFERENCE.search(plain):
        problems.append(f"gives a reference ({found.group(0)!r})")
    if found := EMAIL.search(plain):
        problems.append(f"contains an e-mail address ({found.group(0)!r})")
    elif found := TAG.search(plain):
        problems.append(f"tags someone ({found.group(0)!r})")
    if found := PHONE.search(plain):
        problems.append(f"contains a phone number ({found.group(0).strip()!r})")
    for word in about:
        if word and len(word) > 2 and re.search(rf"\b{re.escape(word)}\b", plain, re.IGNORECASE):
            problems.append(f"names the author ({word!r})")
    if not PRIVATE_INVITES.search(text):
        problems.append("does not invite the author to a private channel")
    return problems


def check(
    *,
    text: str,
    lang: str,
    jurisdiction: str,
    agency: str = "",
    author: Sequence[str] = (),
    tone: outreach_service.ToneFn | None = None,
) -> ReplyCheck:
    """Judge a public reply; ``author`` lists the mention author's handle and names, which the
    reply must not repeat. ValueError for an unknown language or jurisdiction."""
    if lang not in LANGS:
        raise ValueError(f"lang: {lang!r} is not one of {', '.join(LANGS)}")
    if jurisdiction not in JURISDICTIONS:
        raise ValueError(f"jurisdiction: {jurisdiction!r} is not one of {', '.join(JURISDICTIONS)}")
    problems = _own_problems(text, agency, [a.lstrip("@") for a in author])
    decision, flags = outreach_service.check_text(
        jurisdiction=jurisdiction,
        channel="social_dm",
        text=text,
        lang=lang,
        kind="public_reply",
        tone=tone,
    )
    rules, set_aside = [], []
    for reason in decision.reasons:
        if reason.rule.split("-", 1)[1] in MEDIUM_RULES:
            set_aside.append(reason.rule)
        else:
            rules.append(reason.as_dict())
            problems.append(f"{reason.rule}: {reason.explanation}")
    tone_lines = [f"{getattr(f, 'category', 'tone')}: {getattr(f, 'text', '')}" for f in flags]
    problems += [f"tone ({line})" for line in tone_lines]
    return ReplyCheck(
        ok=not problems, problems=problems, rules=rules, set_aside=set_aside, tone=tone_lines
    )
