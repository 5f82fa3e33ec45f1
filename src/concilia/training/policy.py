"""The social-media policy document, rendered from the rule packs, the declared sources and
the settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, select_autoescape

from concilia.training import content

_TEMPLATES = Path(__file__).parent / "templates"

TEXTS: dict[str, dict[str, object]] = {
    "en": {
        "title": "Social-media policy",
        "version": "Version",
        "rules": "Rule packs",
        "who": "Who may use social channels",
        "who_text": "Only staff holding a valid training certificate who have acknowledged "
        "this version of the policy. Concilia refuses social private messages, manual profile "
        "captures and social evidence to anyone else.",
        "networks": "Networks and what their terms allow",
        "source": "Source",
        "platform": "Network",
        "purposes": "Allowed purposes",
        "automated": "Automated messages",
        "terms": "Terms",
        "yes": "yes",
        "no": "no",
        "no_sources": "No source is declared: no social network may be used.",
        "never": "What is never done",
        "never_items": [
            "A public post, comment, reaction or tag about a debt.",
            "A friend or connection request under a false identity or from a fake profile.",
            "Contacting friends, relatives, colleagues or employers about the debt.",
            "Saying anything about the debt before the person's identity is verified.",
            "Storing health, religion, politics, sexuality, union membership or ethnicity.",
            "Using a network's data for a purpose its terms do not allow.",
        ],
    },
    "fr": {
        "title": "Politique d'usage des réseaux sociaux",
        "version": "Version",
        "rules": "Règles",
        "who": "Qui peut utiliser les canaux sociaux",
        "who_text": "Seuls les collaborateurs titulaires d'un certificat de formation valide "
        "qui ont pris connaissance de cette version de la politique. Concilia refuse à toute "
        "autre personne les messages privés sociaux, les captures manuelles de profils et les "
        "preuves issues des réseaux.",
        "networks": "Réseaux et ce que leurs conditions permettent",
        "source": "Source",
        "platform": "Réseau",
        "purposes": "Finalités permises",
        "automated": "Messages automatiques",
        "terms": "Conditions",
        "yes": "oui",
        "no": "non",
        "no_sources": "Aucune source déclarée : aucun réseau ne peut être utilisé.",
        "never": "Ce qui n'est jamais fait",
        "never_items": [
            "Une publication, un commentaire, une réaction ou une identification publique au "
            "sujet d'une dette.",
            "Une demande d'ami ou de connexion sous une fausse identité ou avec un faux profil.",
            "Contacter amis, proches, collègues ou employeur au sujet de la dette.",
            "Parler de la dette avant d'avoir vérifié l'identité de la personne.",
            "Enregistrer santé, religion, opinions politiques, sexualité, syndicat ou origine.",
            "Utiliser les données d'un réseau pour une finalité que ses conditions excluent.",
        ],
    },
    "es": {
        "title": "Política de uso de redes sociales",
        "version": "Versión",
        "rules": "Reglas",
        "who": "Quién puede usar los canales sociales",
        "who_text": "Solo el personal con un certificado de formación vigente que haya "
        "aceptado esta versión de la política. Concilia rechaza a cualquier otra persona los "
        "mensajes privados sociales, las capturas manuales de perfiles y las pruebas de redes.",
        "networks": "Redes y lo que permiten sus condiciones",
        "source": "Fuente",
        "platform": "Red",
        "purposes": "Finalidades permitidas",
        "automated": "Mensajes automáticos",
        "terms": "Condiciones",
        "yes": "sí",
        "no": "no",
        "no_sources": "No hay fuentes declaradas: no puede usarse ninguna red.",
        "never": "Lo que nunca se hace",
        "never_items": [
            "Una publicación, comentario, reacción o etiqueta pública sobre una deuda.",
            "Una solicitud de amistad o conexión con identidad falsa o perfil falso.",
            "Contactar a amigos, familiares, compañeros o empleadores sobre la deuda.",
            "Hablar de la deuda antes de verificar la identidad de la persona.",
            "Guardar salud, religión, política, sexualidad, afiliación sindical u origen.",
            "Usar los datos de una red para una finalidad que sus condiciones no permiten.",
        ],
    },
}


class PolicySource:
    """A declared source as the policy shows it."""

    def __init__(
        self,
        name: str,
        platform: str | None,
        allowed_purposes: list[str],
        automated_messaging: bool,
        terms_url: str | None,
    ) -> None:
        self.name, self.platform = name, platform
        self.allowed_purposes, self.automated_messaging = allowed_purposes, automated_messaging
        self.terms_url = terms_url


def render(
    *,
    sources: list[PolicySource],
    agency: str,
    lang: str = "en",
    version_label: str = "",
    stylesheet: str | None = None,
) -> str:
    """The policy as one HTML document: self-contained (inline style) for a file, or linking
    ``stylesheet`` when served by the app, whose CSP forbids inline styles."""
    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html"])
    )
    return env.get_template("training/policy.html").render(
        t=TEXTS[lang],
        lang=lang,
        agency=agency,
        sources=sorted(sources, key=lambda s: s.name),
        packs=[p for _, p in sorted(content.packs().items())],
        packs_version=content.packs_version(),
        version_label=version_label,
        stylesheet=stylesheet,
    )


def fingerprint(*, sources: list[PolicySource], agency: str) -> str:
    """SHA-256 of the policy's content (English, without its version label)."""
    return hashlib.sha256(render(sources=sources, agency=agency).encode()).hexdigest()


_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
_FOLD = {"\u202f": " ", "\u00a0": " ", "—": "-", "–": "-", "’": "'", "«": '"', "»": '"'}


def render_pdf(
    *, sources: list[PolicySource], agency: str, lang: str = "en", version_label: str = ""
) -> bytes:
    """The policy as an A4 PDF (same content as the HTML, laid out as text)."""
    t = TEXTS[lang]
    font = next((p for p in _FONT_CANDIDATES if p.exists()), None)

    def fix(text: str) -> str:
        if font is not None:
            return text
        # No Unicode font on this system: the PDF core font takes Latin-1 only.
        for a, b in _FOLD.items():
            text = text.replace(a, b)
        return text.encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(str(t["title"]))
    family = "helvetica"
    if font is not None:
        pdf.add_font("body", "", str(font))
        family = "body"
    pdf.add_page()

    def para(text: str, size: int = 10, gap: float = 1.5) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, size * 0.5, fix(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    para(str(t["title"]), 16, 2)
    para(f"{agency} · {t['version']} {version_label} · {t['rules']} {content.packs_version()}", 8)
    para(str(t["who"]), 13)
    para(str(t["who_text"]))
    para(str(t["networks"]), 13)
    if not sources:
        para(str(t["no_sources"]))
    for s in sorted(sources, key=lambda s: s.name):
        automated = t["yes"] if s.automated_messaging else t["no"]
        para(
            f"• {s.name} ({s.platform or '—'}): {t['purposes']}: "
            f"{', '.join(s.allowed_purposes) or '—'}; {t['automated']}: {automated}; "
            f"{t['terms']}: {s.terms_url or '—'}"
        )
    para(str(t["never"]), 13)
    for item in t["never_items"]:  # type: ignore[attr-defined]
        para(f"• {item}")
    for _, pack in sorted(content.packs().items()):
        para(f"{pack.name} ({pack.jurisdiction})", 13)
        for r in pack.rules:
            para(f"• {r.id} — {r.description[lang]} ({r.citation})", 9, 1)
    return bytes(pdf.output())
