# ruff: noqa: E501  (regex patterns read better unbroken)
"""French phrase rules (patterns run on folded text: lowercase, no accents, ' apostrophes).

Same line as in English: "le créancier pourra envisager les voies de droit" is lawful and not
flagged; arrestation, prison, gendarmes, plainte pénale, saisie annoncée comme certaine ou
imminente, intimidation are threats; a step stated as already taken ("un huissier passera
demain", "nous avons prévenu votre employeur") is a false claim.
"""

from __future__ import annotations

from typing import Final

from concilia.outreach.tone.lexicon import Rule

# Up to N words in between, never across punctuation (a comma often starts a new claim).
_GAP = r"(?:[^\w.!?;:,]+[\w'*]+){0,%d}?"
_FAMILY = (
    r"(?:mere|pere|parents|mari|femme|epouse|epoux|conjointe?|compagne|compagnon|fils|fille|"
    r"enfants|frere|soeur|famille|proches|grands?-(?:mere|pere|parents))"
)
_WORK = r"(?:patron|employeur|responsable|manager|chef|collegues?|superieur|direction|rh)"
_OTHERS = r"(?:voisins?|voisine|amis?|amies?|bailleur|proprietaire)"
_PEOPLE = rf"(?:{_FAMILY}|{_WORK}|{_OTHERS})"
_ASSETS = (
    r"(?:salaire|paie|compte(?: bancaire)?|voiture|vehicule|maison|logement|appartement|"
    r"meubles|biens|affaires|allocations)"
)

RULES: Final[tuple[Rule, ...]] = (
    # --- menaces -----------------------------------------------------------------------
    Rule("threat", r"\b(?:vous )?faire (?:arreter|emprisonner|enfermer|incarcerer)\b"),
    Rule("threat", r"\b(?:votre|une) arrestation\b|\barrestation immediate\b"),
    Rule("threat", r"\bmandat d'(?:arret|amener)\b"),
    Rule(
        "threat",
        r"\b(?:irez|iriez|finirez|allez (?:aller|finir)|mettre|envoyer|jeter)(?: directement)? (?:en|a la) (?:prison|taule)\b",
    ),
    Rule("threat", r"\b(?:prison|emprisonnement|incarceration|taule)\b"),
    Rule(
        "threat",
        r"\b(?:police|gendarmerie) (?:sera|va|viendra|passera|debarquera|frappera)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule(
        "threat",
        r"\b(?:gendarmes?|policiers?|agents) (?:pourraient|vont|viendront|peuvent|pourront) (?:venir )?(?:vous )?(?:arreter|chercher|interpeller)\b",
    ),
    Rule(
        "threat",
        r"\b(?:plainte (?:penale|au penal|pour (?:escroquerie|vol|fraude|abus de confiance))|casier judiciaire|poursuites penales)\b",
    ),
    Rule("threat", r"\b(?:porter|deposer) plainte contre vous\b"),
    Rule(
        "threat",
        r"\b(?:nous allons|on va|je vais|allons) (?:vous )?(?:saisir|bloquer|confisquer|vider|prendre (?:votre|vos|tout))\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,5}",
    ),
    Rule(
        "threat",
        r"\b(?:saisirons|bloquerons|confisquerons|viderons)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,5}",
    ),
    Rule(
        "threat",
        r"\b(?:votre|vos) "
        + _ASSETS
        + _GAP % 2
        + r" (?:sera|seront|va etre|vont etre) (?:saisie?s?|bloquee?s?|prise?s?|confisquee?s?|vendue?s?)\b",
    ),
    Rule("threat", r"\bvous (?:sera|seront) (?:prise?s?|saisie?s?|retiree?s?|confisquee?s?)\b"),
    Rule(
        "threat",
        r"\b(?:nous allons|on va|je vais|allons) vous (?:trainer|assigner|poursuivre|attaquer|ruiner|detruire|pourrir)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule(
        "threat",
        r"\bvous (?:assignerons|poursuivrons|trainerons|attaquerons)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule(
        "threat",
        r"\b(?:engagerons|lancerons|intenterons) (?:des|une) (?:poursuites|procedure|action)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule("threat", r"\btrainer (?:en justice|au tribunal|devant les tribunaux)\b"),
    Rule(
        "threat",
        r"\b(?:perdrez|allez perdre) (?:votre (?:maison|logement|emploi|travail|voiture)|vos biens|tout)\b",
    ),
    Rule("threat", r"\b(?:on sait|nous savons|je sais) ou vous (?:habitez|vivez|travaillez)\b"),
    Rule("threat", r"\bvous (?:allez|pourriez) le regretter\b|\ballez le regretter\b"),
    Rule(
        "threat", r"\brendre la vie (?:tres |vraiment )?(?:difficile|impossible|infernale|dure)\b"
    ),
    Rule(
        "threat",
        r"\b(?:nos agents|nos hommes|nos collaborateurs|on|nous) (?:passeront|passera|viendra|viendrons|viendront|va venir|vont venir|allons venir) (?:chez vous|a votre domicile|recuperer|vous voir)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule("threat", r"\bprendre tout ce que vous (?:avez|possedez)\b"),
    Rule(
        "threat",
        r"\b(?:on vient|nous venons|on va venir|nous allons venir|on viendra) (?:chercher|prendre|recuperer|saisir)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,3}",
    ),
    Rule(
        "threat",
        r"\b(?:on envoie|on enverra|nous enverrons|nous allons envoyer|on va envoyer) (?:des|nos|quelqu'un|du monde|une equipe)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,3}",
    ),
    Rule("threat", r"\b(?:te|vous) faire (?:arreter|embarquer|coffrer)\b"),
    # --- harcèlement -------------------------------------------------------------------
    Rule(
        "harassment",
        r"\b(?:appel\w*|relanc\w*|ecri\w*|contact\w*|harcel\w*|sms)"
        + _GAP % 3
        + r" (?:toutes les heures|chaque heure|toutes les \d+ minutes)\b",
        strong=True,
    ),
    Rule("harassment", r"\btoutes les heures\b", strong=True),
    Rule("harassment", r"\bjour et nuit\b", strong=True),
    Rule("harassment", r"\b(?:plusieurs|\d+|dix|cinq) fois par jour\b"),
    Rule(
        "harassment",
        r"\b(?:appel\w*|relanc\w*|ecri\w*|contact\w*|harcel\w*)"
        + _GAP % 3
        + r" (?:tous les jours|chaque jour|tous les soirs)\b",
    ),
    Rule(
        "harassment",
        r"\b\d+ ?(?:e|eme) (?:appel|message|sms|relance) (?:aujourd'hui|de la journee|cette semaine)\b",
    ),
    Rule(
        "harassment",
        r"\bne (?:cesserons|lacherons|arreterons|renoncerons)(?: pas| jamais)\b",
        negatable=False,
    ),
    Rule(
        "harassment",
        r"\b(?:continuerons|continuer) a (?:vous |l'|les |la |le )?(?:appeler|ecrire|relancer|contacter|envoyer|harceler)\b",
        negatable=False,
    ),
    Rule("harassment", r"\bnous en avons d'autres\b", strong=True),
    Rule("harassment", r"\bautant de fois qu'il (?:le )?faudra\b"),
    Rule("harassment", r"\bappels tout le (?:week-end|weekend|temps)\b"),
    Rule(
        "harassment",
        r"\b(?:opposition|desinscription|demande de stop)\w*"
        + _GAP % 1
        + r" (?:sera|est) ignoree\b",
        strong=True,
    ),
    Rule("harassment", r"\bsur tous les reseaux\b"),
    Rule("harassment", r"\b([a-z'-]+(?: [a-z'-]+){0,3})[.!]+ \1[.!]+ \1\b", strong=True),
    Rule("harassment", r"\bnous ignorer (?:eternellement|indefiniment|toujours)\b"),
    # --- insultes et grossièretés ------------------------------------------------------
    Rule("insult", r"\bespece d(?:e |')[a-z-]+(?: [a-z-]+)?"),
    Rule(
        "insult",
        r"\b(?:menteu(?:r|se)s?|bons? a rien|minables?|cretins?|abrutis?|idiote?s?|imbeciles?|voleu(?:r|se)s?|profiteu(?:r|se)s?|escrocs?|parasites?|laches?|connard|connasse|conne|salaud|salope|ordure|debiles?|faineants?|raclure)\b",
    ),
    Rule("insult", r"\b(?:bordel|merde|putain|con|chier|foutre|le cul)\b"),
    Rule(
        "insult",
        r"\b(?:pitoyables?|minables?|honteuses?|honteux|lamentables?|degoutant(?:e|s|es)?)\b",
    ),
    Rule(
        "insult",
        r"\b(?:he|eh|oh|salut) (?:le |la |les )?(?:mauvais payeur|mauvaise payeuse|endette|fauche)s?\b",
    ),
    Rule("insult", r"\bhonte a vous\b|\bvous etes une honte\b"),
    Rule("insult", r"\bvous etes tous pareils\b"),
    Rule("insult", r"\bil faut etre (?:vraiment )?(?:cretin|idiot|bete|stupide|debile)\b"),
    Rule("insult", r"\bfaire le lache\b|\bbougez-vous\b"),
    # --- humiliation publique ----------------------------------------------------------
    Rule(
        "public_shaming",
        r"\bliste (?:publique )?des (?:mauvais payeurs|debiteurs|retardataires|endettes|fraudeurs)\b",
    ),
    Rule(
        "public_shaming",
        r"\b(?:publi|affich|partag|diffus|poster|expos)\w*"
        + _GAP % 4
        + r" (?:sur internet|en ligne|sur facebook|sur instagram|sur les reseaux(?: sociaux)?|publiquement|a la vue de tous|sur notre site|a vos abonnes)\b",
    ),
    Rule(
        "public_shaming", r"\b(?:publier|afficher|divulguer) votre (?:nom|dette|photo|situation)\b"
    ),
    Rule(
        "public_shaming",
        r"\btou(?:t|te|s|tes) (?:votre|vos|le|la) (?:facebook|quartier|entourage|rue|famille|paroisse|entreprise|village|immeuble|monde|amis|collegues|voisins)\b"
        + _GAP % 3
        + r" (?:saura|sauront|apprendra|apprendront|entendra|entendront|verra|verront)\b",
    ),
    Rule(
        "public_shaming",
        r"\b(?:previendr|informer|avertir|dir|raconter)\w* (?:a )?(?:vos|votre) (?:voisins|amis|famille|collegues|entourage|abonnes|proches|paroisse)\b",
    ),
    Rule(
        "public_shaming",
        r"\bce que (?:diront|penseront|vont dire|vont penser) vos (?:collegues|voisins|amis|proches|enfants)\b",
    ),
    Rule("public_shaming", r"\bcommenter\w* vos publications\b"),
    Rule(
        "public_shaming",
        r"\bvous (?:identifier|taguer|mentionner) (?:dans|sous) (?:une|vos|des) (?:publication|post|photo)s?\b",
    ),
    Rule("public_shaming", r"\bnom figurera sur\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,7}"),
    Rule("public_shaming", r"\bbientot tou(?:t|te)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}"),
    Rule(
        "public_shaming",
        r"\b(?:affiche|pancarte|avis|tract|panneau)s? (?:avec|portant|a) votre nom\b",
    ),
    # --- fausse urgence ----------------------------------------------------------------
    Rule(
        "false_urgency",
        r"\b(?:derniere? (?:avis|avertissement|chance|relance|delai)|tout dernier avertissement)\b",
    ),
    Rule(
        "false_urgency",
        r"\b(?:sous|dans les|d'ici) (?:\d+|une|deux) (?:heures?|minutes?)\b",
        strong=True,
    ),
    Rule("false_urgency", r"\bdans (?:les )?\d+ minutes\b", strong=True),
    Rule("false_urgency", r"\b(?:plus qu'une|une seule|moins d'une) heure\b", strong=True),
    Rule("false_urgency", r"\bdans l'heure\b", strong=True),
    Rule("false_urgency", r"\bjusqu'a minuit\b"),
    Rule("false_urgency", r"\burgent\b"),
    Rule(
        "false_urgency",
        r"\b(?:paiement|reglement) immediat (?:est )?(?:exige|requis|obligatoire)\b",
    ),
    Rule("false_urgency", r"\bagissez (?:immediatement|maintenant|aujourd'hui)\b"),
    Rule("false_urgency", r"\bplus rien (?:a faire|pour vous)\b", negatable=False),
    Rule("false_urgency", r"\bgraves consequences\b"),
    Rule("false_urgency", r"\b(?:demarrera|commencera|partira) automatiquement\b"),
    Rule("false_urgency", r"\bclotur\w* definitivement\b"),
    Rule("false_urgency", r"\b(?:disparait|disparaitra) (?:pour toujours|definitivement)\b"),
    Rule("false_urgency", r"\baucune autre relance\b", negatable=False),
    Rule("false_urgency", r"\baujourd'hui est votre derniere\b"),
    # --- fausses affirmations juridiques ou officielles --------------------------------
    Rule(
        "false_legal_claim",
        r"\b(?:avons|ai) (?:deja |bien )?(?:prevenu|informe|averti|alerte|contacte|ecrit a) votre (?:employeur|banque|service rh|patron)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\bvotre (?:employeur|banque) a (?:deja |bien )?ete (?:informee?|prevenue?|avertie?|contactee?)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:huissiers?|commissaires? de justice|officiers? de justice|agents? d'execution)\b"
        + _GAP % 4
        + r" (?:passera|passe|viendra|vient|est mandate|a ete mandate|est charge|est affecte|a ete affecte|est envoye|se presentera|a recu|est en route|est deja|demain|interviendra|procedera)\w*",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:mandate|envoye|affecte|designe) (?:un|l') ?(?:huissier|commissaire de justice)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:avis|courrier|document|notification) officiel(?:le)? (?:du|de la|de l') ?(?:tribunal|justice|etat|gendarmerie|police|tresor)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\ba (?:valeur|force) de (?:decision de justice|jugement|titre executoire|mise en demeure judiciaire)\b",
    ),
    Rule("false_legal_claim", r"\b(?:un|le) jugement a (?:deja )?ete (?:rendu|prononce|obtenu)\b"),
    Rule(
        "false_legal_claim",
        r"\ble (?:tribunal|juge) a (?:deja )?(?:autorise|ordonne|valide|prononce|condamne)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:procedure|action|plainte|assignation)(?: judiciaire| en justice)? a (?:deja )?ete (?:engagee|lancee|introduite|deposee|delivree)\b",
    ),
    Rule("false_legal_claim", r"\baudience (?:est|a ete) (?:fixee|programmee|prevue)\b"),
    Rule(
        "false_legal_claim",
        r"\b(?:transmis|envoye|remis|signale)e? (?:a la|au) (?:gendarmerie|police|procureur|commissariat|parquet)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:travaillons|collaborons|sommes en lien) avec (?:la|le) (?:police|gendarmerie|commissariat|procureur|parquet)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\bau nom (?:de l'etat|du tribunal|du tresor public|du fisc|de la justice|de l'administration)\b",
    ),
    Rule("false_legal_claim", r"\ben tant que vos avocats\b|\bnous sommes vos avocats\b"),
    Rule(
        "false_legal_claim",
        r"\b(?:fichee?|inscrite?|enregistree?) (?:a la banque de france|au fichier|au ficp|sur la liste noire)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:inscrit|enregistre|ajoute) votre nom (?:au|dans le|sur le) (?:fichier|registre)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\bce (?:courrier|message|document) est un (?:acte judiciaire|jugement|titre executoire)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:convocation|citation|assignation)(?: officielle)? (?:au|du|devant le) (?:tribunal|juge)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\bpar (?:decision|ordonnance|jugement|ordre) (?:du juge|du tribunal|de justice|judiciaire)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:huissiers?|commissaires? de justice|agents? d'execution)\b"
        + _GAP % 2
        + r" (?:sont|est|ont ete|a ete) (?:autorises?|habilites?|mandates?)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:le fisc|les impots|le tresor public|la police|la gendarmerie|le procureur|les autorites|la caf|le tribunal) (?:a|ont) (?:deja )?ete (?:informee?s?|prevenue?s?|avertie?s?|saisie?s?|alertee?s?)\b",
    ),
    # --- pression sur des tiers --------------------------------------------------------
    Rule(
        "third_party_pressure",
        r"\b(?:appele|contacte|telephone|joint|parle|laisse un message|ecrit|demande|rendu visite)\b(?: (?:a|de|avec|votre situation a|de votre situation a|de votre dette a))?"
        + _GAP % 2
        + r" (?:a )?(?:votre|vos) "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:prevenu|informe|averti)e?s? (?:votre|vos) "
        + rf"(?:{_FAMILY}|collegues|amis|voisins)"
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\bdites a (?:votre|vos) " + _FAMILY + r" de (?:payer|regler|rembourser|couvrir)\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:votre|vos) "
        + _FAMILY
        + r" (?:devrait|doit|devra|devraient|doivent) (?:payer|regler|rembourser|couvrir|vous aider)\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:votre|vos) "
        + rf"(?:{_FAMILY}|collegues|amis|voisins|responsable|patron)"
        + r" (?:a|ont) (?:deja )?ete (?:informee?s?|prevenue?s?|avertie?s?|contactee?s?|appelee?s?)\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:allons|vais|va|allons devoir) (?:contacter|appeler|prevenir|demander a|ecrire a|voir) (?:votre|vos) "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:appellerons|contacterons|demanderons a|previendrons|ecrirons a) (?:votre|vos) "
        + rf"(?:{_FAMILY}|{_WORK})"
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:parler|discuter|evoquer|parle|discute|evoque) (?:de )?votre (?:situation|dette|dossier|impaye) (?:a|avec) (?:votre|vos) "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\bcopie de (?:ce|cette|notre) (?:courrier|lettre|message|mise en demeure) a (?:votre|vos) "
        + _PEOPLE
        + r"\b",
    ),
    Rule("third_party_pressure", r"\b(?:demandez|dites) a (?:votre|vos) " + _FAMILY + r" de\b"),
    Rule("third_party_pressure", r"\blui dire qu'(?:il|elle) (?:doit|nous doit|a une dette)\b"),
    Rule("third_party_pressure", r"\bvous transmettre le message\b|\btransmettre le message\b"),
    Rule("third_party_pressure", r"\bjusqu'a ce que l'un d'(?:eux|elles) vous convainque\b"),
)
