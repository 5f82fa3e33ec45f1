"""France, CPCE R124-4: mentions of the first letter, reference and date repeated later."""
# ruff: noqa: E501  (message texts are test data, kept on one line to read as sent)

from datetime import date

from tests.outreach.helpers import check, fired

FIRST_LETTER = (
    "Acme Recouvrement, 1 rue de la Paix, 75002 Paris, société de recouvrement amiable. "
    "Créancier : Banque Exemple, 2 avenue de France, 75013 Paris. "
    "Au titre du contrat de crédit n° 123 : principal 1 000,00 €, intérêts 50,00 €, "
    "autres accessoires 0,00 €. Nous vous invitons à payer la somme due. Modalités de paiement : "
    "virement ou carte sur le portail. Article L111-8 du code des procédures civiles d'exécution : "
    "« Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier, "
    "sauf s'ils concernent un acte dont l'accomplissement est prescrit par la loi au créancier. "
    "Toute stipulation contraire est réputée non écrite, sauf disposition législative contraire. "
    "Cependant, le créancier qui justifie du caractère nécessaire des démarches entreprises pour "
    "recouvrer sa créance peut demander au juge de l'exécution de laisser tout ou partie des frais "
    "ainsi exposés à la charge du débiteur de mauvaise foi. »"
)


def test_first_letter_with_all_mentions_is_allowed() -> None:
    d = check("FR", channel="letter", kind="first_letter", text=FIRST_LETTER, first_letter_ref=None)
    assert d.verdict == "allow", d.reasons


def test_first_letter_missing_mentions_is_blocked_and_names_them() -> None:
    text = FIRST_LETTER.replace("intérêts 50,00 €, ", "").split("Article L111-8")[0]
    d = check("FR", channel="letter", kind="first_letter", text=text, first_letter_ref=None)
    assert d.verdict == "block"
    reason = next(r for r in d.reasons if r.rule == "FR-R124-4")
    assert "basis_and_breakdown" in reason.explanation
    assert "l111_8_paragraph_2" in reason.explanation
    assert "creditor" not in reason.explanation.split("lacks:")[1]


def _lacks(text: str, **kw: object) -> str:
    d = check("FR", channel="letter", kind="first_letter", text=text, first_letter_ref=None, **kw)
    assert d.verdict == "block", d.reasons
    explanation = next(r for r in d.reasons if r.rule == "FR-R124-4").explanation
    return explanation.split("lacks:")[1].strip()[:-1]  # the detail is wrapped in "( )"


def test_first_letter_must_reproduce_both_paragraphs_of_l111_8_in_full() -> None:
    # R124-4 5°: "la reproduction des deuxième et troisième alinéas de l'article L. 111-8".
    # A fragment of paragraph 2 (its second sentence left out) is refused; it passed before.
    fragment = FIRST_LETTER.replace(
        " Toute stipulation contraire est réputée non écrite, sauf disposition législative contraire.",
        "",
    )
    assert _lacks(fragment).strip() == "l111_8_paragraph_2"
    no_third = FIRST_LETTER.split(" Cependant,")[0] + " »"
    assert _lacks(no_third).strip() == "l111_8_paragraph_3"
    # Line breaks, curly apostrophes and guillemets do not matter; the words do.
    reflowed = FIRST_LETTER.replace("'", "\u2019").replace(". Toute", ".\nToute")
    d = check("FR", channel="letter", kind="first_letter", text=reflowed, first_letter_ref=None)
    assert d.verdict == "allow", d.reasons


CASE = {
    "agency_name": "Acme Recouvrement",
    "agency_address": "1 rue de la Paix\n75002 Paris",
    "creditor_name": "Banque Exemple",
    "creditor_address": "2 avenue de France\n75013 Paris",
}


def test_creditor_and_agency_are_checked_against_the_case_data() -> None:
    ok = check(
        "FR",
        channel="letter",
        kind="first_letter",
        text=FIRST_LETTER,
        first_letter_ref=None,
        **CASE,
    )
    assert ok.verdict == "allow", ok.reasons
    other = dict(CASE, creditor_name="Crédit Autre", creditor_address="9 quai Ouest\n69002 Lyon")
    lacks = _lacks(FIRST_LETTER, **other)
    assert "creditor (name and address from the case data)" in lacks and "agency" not in lacks
    # Without case data, the bare word "créancier" no longer passes: a name and an address must.
    bare = FIRST_LETTER.replace(
        "Créancier : Banque Exemple, 2 avenue de France, 75013 Paris.",
        "Votre créancier nous a mandatés.",
    )
    assert _lacks(bare).strip() == "creditor"


def test_first_step_must_be_a_letter() -> None:
    for channel in ("email", "sms", "social_dm"):
        d = check(
            "FR", channel=channel, kind="first_letter", text=FIRST_LETTER, first_letter_ref=None
        )
        reason = next(r for r in d.reasons if r.rule == "FR-R124-4")
        assert d.verdict == "block" and "must be a letter" in reason.explanation


def test_r124_4_binds_agencies_only() -> None:
    # L124-1: persons collecting for others without a regulated status. A creditor collecting
    # its own debt, or a lawyer, may write without the R124-4 mentions (blocked before).
    for sender in ("creditor", "lawyer"):
        d = check("FR", first_letter_ref=None, first_letter_date=None, sender_kind=sender)
        assert "FR-R124-4" not in fired(d), sender
    assert "FR-R124-4" in fired(check("FR", first_letter_ref=None, first_letter_date=None))


def test_first_debt_message_by_email_without_a_first_letter_needs_the_mentions() -> None:
    d = check("FR", first_letter_ref=None, first_letter_date=None)
    assert "FR-R124-4" in fired(d)
    assert "must be a letter" in next(r.explanation for r in d.reasons if r.rule == "FR-R124-4")


def test_later_messages_repeat_reference_and_date() -> None:
    assert check("FR").verdict == "allow"  # base text cites REF-1 du 02/11/2026
    no_ref = check(
        "FR",
        text="Le solde de votre dette est de 120 €. Répondez STOP pour ne plus recevoir ces messages.",
    )
    assert no_ref.verdict == "block" and "REF-1" in no_ref.reasons[0].explanation
    wrong_date = check("FR", first_letter_date=date(2026, 11, 3))
    assert wrong_date.verdict == "block"
    long_form = check(
        "FR",
        text="Suite à notre lettre REF-1 du 2 novembre 2026, votre solde est de 120 €. "
        "Répondez STOP pour ne plus recevoir ces messages.",
    )
    assert long_form.verdict == "allow", long_form.reasons


def test_identity_request_is_outside_r124_4() -> None:
    d = check(
        "FR",
        channel="social_dm",
        identity_verified=False,
        kind="identity_request",
        first_letter_ref=None,
        text="Bonjour, ici Jean Dupont de la société Acme. Êtes-vous bien Marie Martin ? "
        "Répondez STOP pour ne plus recevoir ces messages.",
    )
    assert d.verdict == "allow", d.reasons


def test_r124_4_is_french_only() -> None:
    assert "US-R124-4" not in fired(check("US", first_letter_ref=None))
