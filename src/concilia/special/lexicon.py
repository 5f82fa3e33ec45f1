"""Words and named entities of the six special categories, FR/ES/EN, and where they do not count.

Two strengths. A *strong* term reveals its category on its own (a medicine's brand, a party's
name, a union's acronym, a smaller faith's place of worship or feast, "lesbienne", "kabyle"):
the guard flags the text whatever the classifier says. A *weak* term often does but not always
("église", "pride", "labour", "santé", "Dios"): it is only a feature the classifier weighs in
context, so slang, oaths and sports pride do not raise alarms by themselves.

Street, station and stop names are masked before the terms are looked up: "rue de l'Hôpital",
"Temple station", "plaza de la Iglesia" name a place, not a belief or an illness.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

CATEGORIES: tuple[str, ...] = (
    "health",
    "religion",
    "politics",
    "union",
    "sexuality",
    "ethnicity",
)

# Normalised (lowercase, accent-free) phrases separated by "|"; a trailing "*" is a prefix.
STRONG: dict[str, str] = {
    "health": (
        # conditions and care
        "cancer|cancers|chimio*|quimio*|chemo|chemotherapy|radiotherap*|radioterapia|"
        "oncolog*|tumeur|tumor|tumour|metasta*|leucemi*|leukaemia|leukemia|lymphom*|linfoma|"
        "sclerose en plaques|esclerosis multiple|multiple sclerosis|"
        "diabete|diabetique|diabetes|diabetic|insuline|insulina|insulin|hypoglyc*|hipoglucemia|"
        "hypo cette nuit|glycemie|glucemia|"
        "epilep*|epileptic*|seizure|crise d epilepsie|"
        "bipolaire|bipolar|schizophr*|esquizofren*|depression|depresion|depressive|"
        "anorex*|bulimi*|boulimi*|crises d angoisse|ataques de panico|panic attacks|"
        "burn out|burnout|burn-out|sindrome de burnout|"
        "autiste|autisme|autismo|autista|autistic|autism|adhd|tdah|trisomi*|sindrome de down|"
        "down syndrome|alzheimer*|parkinson*|fibromyalg*|fibromialgia|endometrio*|crohn*|"
        "lupus|vih|hiv|sida|seropositi*|antiretrovira*|antirretrovira*|"
        "hepatite|hepatitis|cirrhose|cirrosis|dialyse|dialisis|dialysis|"
        "infarctus|infarto de miocardio|avc|ictus|"
        "paraplegi*|tetraplegi*|quadriplegi*|fauteuil roulant|silla de ruedas|wheelchair|"
        "handicapee|handicape|rqth|mdph|discapacidad|disability|pip award|"
        "sourd de naissance|sourde de naissance|sorda de nacimiento|sordo de nacimiento|"
        "deaf since birth|appareillee|audifonos|hearing aids|"
        "long covid|covid persistente|"
        "sevrage|desintox|rehab|sober|alcooliques anonymes|alcoholicos anonimos|"
        "proyecto hombre|methadone|metadona|"
        "fausse couche|fausses couches|aborto espontaneo|miscarriage|miscarriages|"
        "born sleeping|petit ange est parti|angelito se fue|little angel|"
        "perdu notre bebe|perdu le bebe|perdimos al bebe|perdi al bebe|lost our baby|"
        "lost the baby|ivg|interruption volontaire|interrupcion voluntaria|abortion|"
        "grossesse|embarazada|embarazo|pregnant|pregnancy|fiv|ivf|"
        "mammographie|mamografia|mammogram|biopsie|biopsia|biopsy|brca|"
        "chlamydia|clamidia|psychiatr*|psiquiatr*|sectioned|antidepress*|antidepresiv*|"
        "arret de travail|arret maladie|baja medica|signed off|"
        # medicines, by brand or molecule
        "levothyrox|levothyroxine|levotiroxina|eutirox|sertraline|sertralina|xanax|lexomil|"
        "deroxat|seroplex|prozac|fluoxetine|fluoxetina|paroxetine|citalopram|escitalopram|"
        "venlafaxine|effexor|zoloft|diazepam|valium|lorazepam|orfidal|trankimazin|"
        "litio|depakine|lamictal|keppra|ritaline|ritalin|subutex|"
        "sintrom|metformine|metformin|ozempic|humira|truvada|tamoxif*|herceptin|"
        "ventoline|ventolin|inhaler|seretide|morphine|morfina|tramadol|lyrica|"
        "enceinte de|had a stroke|bequilles|muletas|crutches|surgery|operee du|opere du|"
        "operee de|operada de|operado de|me operan|irish traveller|hormonotherapie|"
        "hormonoterapia|hormone therapy|"
        "emojipregnant|emojiribbon"
    ),
    "religion": (
        "messe de minuit|a la messe|misa de medianoche|a misa|went to mass|"
        "mosquee|mezquita|mosque|synagogue|sinagoga|shul|gurdwara|mandir|pagode|"
        "salle du royaume|salon del reino|kingdom hall|meeting house|quaker*|"
        "temple protestant|temple sikh|temple hindou|templo budista|templo hindu|"
        "templo taoista|temple caodaiste|caodai*|taoist temple|buddhist centre|buddhist temple|"
        "sikh temple|hindu mandir|iglesia evangelica|eglise evangelique|pentecostal church|"
        "iglesia adventista|baptist chapel|paroisse|parroquia|"
        "ramadan|ramadhan|aid moubarak|aid mubarak|eid|eid mubarak|l aid|fete de l aid|"
        "fiesta del cordero|diwali|navratri|vaisakhi|yom kippour|yom kipur|yom kippur|"
        "rosh hashana|rosh hashanah|shana tova|shana tova|hanoucca|hanukkah|janucá|januca|"
        "menorah|shabbat|shabat|bar mitzvah|bar mitsva|bar mitzva|hajj|omra|umrah|"
        "mercredi des cendres|miercoles de ceniza|ash wednesday|"
        "vigile pascale|vigilia pascual|easter vigil|premiere communion|primera comunion|"
        "first holy communion|messe de noel|misa del gallo|midnight mass|careme orthodoxe|"
        "musulman|musulmane|musulmana|muslim|chretienne|cristiana|"
        "bouddhiste|budista|buddhist|hindou|hindu|sikh|athee|ateo|atea|atheist|agnosti*|"
        "temoin de jehovah|testigo de jehova|jehovah s witness|mormon|adventiste|adventistas|"
        "adventists|evangelique|evangelico|evangelical|"
        "converti a l islam|convertie a l islam|converti al islam|"
        "converted to islam|hijab|hiyab|porte le voile|torah|tora|rabbin|rabino|rabbi|"
        "imam|cofrade|cofradia|priez|rezad|pray for|"
        "prieres|oraciones|prayers|gloire a dieu|gloria a dios|praise god|"
        "christ est ressuscite|cristo ha resucitado|he is risen"
    ),
    "politics": (
        "rn|manif contre|manifestation contre|manifestacion contra|march against|protest against|"
        "huelga general|greve generale|general strike|vote labour|voted labour|voting labour|"
        "vote conservative|voted conservative|vote green|voted green|"
        "rassemblement national|front national|lfi|france insoumise|parti socialiste|"
        "les republicains|reconquete|eelv|les ecologistes|europe ecologie|pcf|"
        "parti communiste|partido comunista|communist party|place publique|npa|"
        "lutte ouvriere|debout la france|zemmour|melenchon|bardella|ciotti|le pen|"
        "macroniste|sanchista|blairite|corbynista|"
        "psoe|bildu|erc|junts|pnv|bng|mas madrid|coalicion canaria|"
        "izquierda unida|pce|"
        "tory|tories|lib dem|lib dems|liberal democrats|snp|plaid cymru|reform uk|green party|"
        "sinn fein|dup|ukip|farage|"
        "militant|militante|militants|encarte|encartee|"
        "carte au parti|carnet del|canvassing|door knocking|leafleting|"
        "porte a porte|puerta a puerta|tracts|tractons|folletos|leaflets|"
        "independentiste|independentista|indepe*|nationaliste|nacionalista|nationalist|"
        "anarchiste|anarquista|anarchist|communiste|comunista|communist|socialist|"
        "anticapitaliste|anticapitalista|royaliste|monarquico|monarchist|gilet jaune|"
        "interventor|apoderado|counting agent|papeleta|"
        "voto a|vote reform|voted brexit"
    ),
    "union": (
        "cgt|cfdt|force ouvriere|unsa|sud rail|sud sante|fsu|snuipp|cfe cgc|cftc|snes|"
        "confederation paysanne|intersyndicale|syndique|syndiquee|syndiques|syndical|"
        "syndicale|syndicaliste|syndicat|ccoo|comisiones obreras|ugt|cnt|csif|satse|stes|"
        "intersindical|sindicato|sindical|sindicalista|sindicatos|afiliarme al sindicato|"
        "gmb|rmt|neu|nasuwt|tuc|iwgb|rcn|cwu|bma|trade union|trade unionist|"
        "shop steward|union rep|unite rep|unison rep|gmb rep|"
        "unite member|unison member|union dues|union branch|picket line|piquet de greve|piquete|"
        "workplace rep|joint union|union meeting|delegue du personnel|delegado de personal"
    ),
    "sexuality": (
        "gay|gays|lesbienne|lesbiana|lesbian|bisexuel|bisexuelle|bisexual|queer|lgbt*|"
        "lgtb*|transgenre|transgender|transexual*|transsexuel*|femme trans|mujer trans|"
        "trans woman|trans man|homme trans|hombre trans|non binaire|non binaria|"
        "no binaria|no binario|non binary|nonbinary|asexuel|asexuelle|asexual|pansexuel|"
        "pansexual|sorti du placard|sortie du placard|sali del armario|"
        "marche des fiertes|orgullo lgtbi|grindr|hrt|sous hormones|con hormonas|"
        "deux papas|dos papas|two dads|two husbands|dos maridos|deux maris|"
        "mariage pour tous|emojirainbow|emojitrans|"
        "came out at work|came out to|came out as|sali del armario|femme qui aime les femmes|"
        "mujer a la que le gustan las mujeres|woman who loves women"
    ),
    "ethnicity": (
        "as a traveller|irish traveller|gitan|gitane|gitans|gitano|gitana|gitanos|romani|roms|"
        "kabyle|kabyles|berbere|"
        "bereber|amazigh|metisse|metis|mestiza|mestizo|mixed race|afrodescendiente|"
        "afro descendant|indigena|indigenous|amerindienne|amerindien|aboriginal|maori|"
        "quechua|aymara|mapuche|wayuu|peule|peul|tamoul|tamoule|tamil|kurde|kurda|kurdish|"
        "harki|harkis|sahraoui|saharaui|saharauis|"
        "femme noire|homme noir|mujer negra|hombre negro|black woman|black man|"
        "je suis noir|je suis noire|soy negro|soy negra|i m black|"
        "rebeue|beurette|paki|"
        "mes origines|mis origenes|my origins|mes racines|mis raices|"
        ""
        "ashkenaze|ashkenazi|sefarade|sefardi|sephardi|juif|juive|judio|judia|jewish"
    ),
}

WEAK: dict[str, str] = {
    "health": (
        "sobre|handicap|disabled|lithium|concerta|aids|stroke|enceinte|malade|maladie|enfermo|"
        "enferma|enfermedad|sick|ill|illness|hopital|hospital|"
        "clinique|clinica|clinic|medecin|medico|doctor|gp|traitement|tratamiento|treatment|"
        "therapie|terapia|therapy|opere|operee|opera|operado|operada|surgery|chirurgie|"
        "cirugia|coeur|corazon|heart|crise|infarto|sante|salud|health|medicament*|"
        "medicamento*|meds|medication|pharmacie|farmacia|pharmacy|dose|dosis|bebe|baby|"
        "echo|ecografia|scan|semaines|weeks|mental|angoisse|anxiete|ansiedad|anxiety|"
        "douleur*|dolor*|pain|fatigue|agotad*|exhausted|bequilles|muletas|crutches|asthme|"
        "asma|asthma|thyroide|tiroides|thyroid|genou|rodilla|knee"
    ),
    "religion": (
        "puja|la mecque|la meca|mecca|pilgrimage|pelerinage|peregrinacion|parish|practising|"
        "practicing|practicante|pratiquant|pratiquante|christian|chretien|cristiano|eglise|"
        "iglesia|church|chapelle|capilla|chapel|cathedrale|catedral|cathedral|"
        "temple|templo|messe|misa|mass|culte|culto|service|sermon|priere|prier|oracion|rezar|"
        "rezo|rezando|pray*|prayer|dieu|dios|god|jesus|christ|cristo|allah|inch allah|"
        "inshallah|ojala|paques|pascua|easter|noel|navidad|christmas|careme|cuaresma|lent|"
        "communion|comunion|bapteme|bautismo|bautizo|baptism|baptised|bapteme|foi|fe|faith|"
        "croyant*|creyente*|believer|pretre|cura|sacerdote|priest|vicar|pasteur|pastor|"
        "catholique|catolic*|catholic|protestant*|orthodoxe|ortodox*|orthodox|"
        "jeune|ayuno|fasting|fast|voile|velo|kippa|pelerin*|peregrino|pilgrim|semana santa|"
        "procession|procesion|saint|santa|santo|virgen|vierge|bible|biblia|coran|quran|"
        "spirituel*|espiritual|spiritual|benir|bendijo|blessed|paso|hermandad"
    ),
    "politics": (
        "je vote|i vote|my vote|mon vote|ma voix|mi voto|dimision|demission|adherent|adherente|"
        "afiliado al|afiliada a|assesseur|bulletin|podemos|sumar|compromis|modem|vote|voter|"
        "votez|votar|votad|voto|voted|voting|election*|eleccion*|elecciones|"
        "electoral|parti|partido|party|gauche|droite|izquierda*|derecha*|left|right|"
        "manif|manifestation|manifestacion|march|protest|greve|huelga|strike|reforme|"
        "reforma|reform|labour|conservative*|conservateur*|green|greens|verts|vox|pp|ps|"
        "lr|renaissance|horizons|ciudadanos|cup|iu|macron|sanchez|starmer|sunak|trump|"
        "biden|brexit|independance|independencia|independence|candidat*|candidate|"
        "municipales|council|depute|diputado|mp|president|presidente|campagne|campana|"
        "campaign|meeting|mitin|rally|affiches|carteles|posters|roi|rey|king|republique|"
        "republica|republic|democratie|democracia|democracy|camarades|camaradas|comrades|"
        "diada|aberri eguna|estelada|rond point|corse|ecolog*|centriste|section"
    ),
    "union": (
        "acorn|prospect|comite d entreprise|comite de empresa|cse|fo|sud|solidaires|uso|ela|lab|"
        "unite|unison|pcs|union|unions|delegue|delegado|"
        "delegada|delegate|rep|representant|representante|representative|greve|huelga|"
        "strike|ballot|mobilisation|movilizacion|mobilising|cotisation|cuota|subs|dues|"
        "adhere|adherer|afiliado|afiliada|afiliarme|membre|miembro|member|carte|carne|card|"
        "comite|committee|negociation|negociacion|negotiating|congres|congreso|congress|"
        "section|seccion|branch|collegues|companeros|colleagues"
    ),
    "sexuality": (
        "coming out|came out|le marais|chueca|canal street|bi|trans|pride|fiertes|orgullo|"
        "transition|transicion|copine|novia|girlfriend|"
        "copain|novio|boyfriend|mari|marido|husband|femme|mujer|wife|compagnon|pareja|"
        "partner|mariage|boda|married|pronoms|pronombre|pronouns|iel|elle|they them|"
        "rencard*|citas|dates|placard|armario|closet|adopt*|emojirainbow"
    ),
    "ethnicity": (
        "rom|traveller|gypsy|heritage|d origine|de origen|immigres|inmigrantes|immigrants|"
        "my roots|la mora|noir|noire|negro|negra|black|blanc|blanco|white|asiatique|asiatica|"
        "asian|arabe|"
        "arab|origine*|origen|origin|racine*|raiz|raices|roots|ethni*|etnia|race|raza|"
        "racisme|racismo|racism|communaute|comunidad|community|immigr*|inmigr*|pays|"
        "grands parents|abuelos|grandparents|marocain*|marroqui*|moroccan|algerien*|"
        "argelin*|algerian|senegal*|nigerian|pakistani|bangladeshi*|somali|jamaican|"
        "vietnamien*|chinois|chino|chinese|turc|turque|turco|turkish|polonais*|polaco|"
        "polish|roumain*|rumano|rumana|romanian|filipin*|filipino|colombian*|ecuatorian*|"
        "dominican*|comorien*|malgache|antillais*|antillaise|guadeloupe|punjabi|sikh|"
        "blagues|chistes|jokes|regards|miradas|looks|controle|paran|stopped"
    ),
}

# The cheap first stage of the guard: a text made only of these words (FR/ES/EN function
# words, greetings, numbers, dates and the vocabulary of paying a debt), of numbers and of
# references holding a digit gives the classifier nothing to read, and is cleared without
# being embedded. Deliberately short: no word of ``STRONG`` or ``WEAK`` is here, nor any
# word that may carry a category in context ("semaines", "carte", "pain", "regards", "elle").
_NEUTRAL_WORDS = """
    a a1 ai aie aies ait as au aux avec avez avons avoir ayant c ca ce cela celle celui ces
    cet cette ceci ci d dans de des du en et est etait etes etre eu eux il ils j je l la le
    les leur leurs lui m ma me mes moi mon n ne nos notre nous on ont ou par pas peu pour
    qu que quel quelle quels qui quoi s sa sans se ses si son sont suis sur t ta te tes toi
    ton tu un une vos votre vous y deja encore aussi bien tres trop plus moins tout tous
    toute toutes rien quand comment combien pourquoi parce puis alors donc mais car ni
    maintenant bientot avant apres pendant depuis jusqu jusque entre chez vers ici la
    al algo como con cual cuales cuando cuanto cuanta cuantos cuantas del desde donde el
    ella ellos en entre era eres es esa ese eso esta estas este esto estos estoy estamos
    estan esta fue ha han has hay he hemos la las le les lo los me mi mis muy nada ni no
    nos nosotros nuestra nuestro o os para pero poco por porque que quien se ser si sin
    sino soy somos son su sus tambien te tengo tiene tienen tu tus un una uno unos
    unas usted ustedes y ya yo ahora antes despues todavia todo toda todos todas mas menos
    the an and are am be been being but by can could did do does doing done for from had
    has have having he her here him his how i if in into is it its just me my no not now
    of on or our out please she so than that their them then there these they this those
    to too up us very was we were what when where which who why will with would you your
    yours yes ok okay also already still yet more less all any some again before after
    about until since over under per via
    bonjour bonsoir salut merci madame monsieur mme mr mrs svp stp cordialement
    revoir hola buenos buenas dias tardes noches gracias favor senora saludos atentamente
    adios vale hello hi hey thanks thank dear sincerely goodbye bye oui non si
    d accord daccord
    payer paye payee payes paie paient paiement paiements pagar pago pagos pague pagado
    pagare pay paying paid payment payments repay montant montants somme importe
    cantidad amount amounts euro euros eur dollar dollars usd pound pounds gbp cents
    centimes centimos dette dettes deuda deudas debt debts facture factures factura
    facturas invoice invoices bill bills compte cuenta account solde saldo balance
    virement transferencia transfer prelevement domiciliacion debit echeance echeances
    echeancier plazo plazos instalment instalments installment installments mensualite
    mensualites mensualidad mensualidades monthly mensuel mensuelle mensual plan plans
    proposition propuesta proposal offre oferta offer reference ref referencia numero
    number code codigo dossier expediente file recu recibo receipt banque banco bank
    total reste resto rest part partie parte
    mois mes month months semaine semana week jour jours dia day days aujourd hui hoy
    today demain manana tomorrow hier ayer yesterday prochain prochaine proximo proxima
    next dernier derniere ultimo ultima last premier premiere primero primera first fois
    vez veces time times fin end debut
    lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes miercoles jueves
    viernes sabado domingo monday tuesday wednesday thursday friday saturday sunday
    janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre enero
    febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    january february april june july august september october november december
    deux trois quatre cinq six sept huit neuf dix cent mille dos tres cuatro cinco seis
    siete ocho nueve diez cien mil one two three four five six seven eight nine ten hundred
    thousand
    peux peut pouvez pourrais pourriez pourrait puis veux veut voulez voudrais voudrions
    souhaite souhaiterais dois doit devez faire fais fait envoyer envoye envoie recevoir
    rappeler rappelle appeler appelle contacter confirmer confirme savoir sais sait
    puedo puede pueden podria quiero quisiera necesito debo hacer hago enviar
    enviado envio recibir recibido llamar llamo confirmar saber se
    want wanted need needed send sent receive received call make know confirm confirmed
    let get got see
    """
NEUTRAL = frozenset(_NEUTRAL_WORDS.split())


def only_neutral(normalised: str) -> bool:
    """Is every word of normalised text in ``NEUTRAL``, a single letter, a number or a
    reference with a digit?"""
    return all(
        w in NEUTRAL or len(w) == 1 or any(ch.isdigit() for ch in w) for w in normalised.split()
    )


# A place whose name holds a category word: the word is masked before the look-up.
_PLACE_BEFORE = re.compile(
    r"\b(?i:rue|avenue|av\.?|boulevard|bd|place|plaza|calle|avenida|paseo|pasaje|quai|"
    r"impasse|chemin|cours|allee|allée|gare|station|estaci[oó]n|m[eé]tro|arr[eê]t|parada|"
    r"barrio|quartier)\s+(?i:(?:de|del|des|du|la|las|los|le|l['’]|d['’]|of|the)\s*)*"
    r"[A-ZÀ-Ý][\w'’-]*(?:[\s-]+(?:de\s+|del\s+|la\s+)?[A-ZÀ-Ý0-9][\w'’-]*){0,3}",
)
_PLACE_AFTER = re.compile(
    r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}\s+"
    r"(?:Street|St|Road|Rd|Lane|Square|Avenue|Way|Close|station|Station|Bar|bus stop)\b"
)


def strip_accents(text: str) -> str:
    """Text without diacritics (posts drop accents at random)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_EMOJI: dict[str, str] = {
    "🏳️‍🌈": " emojirainbow ",
    "🏳‍🌈": " emojirainbow ",
    "🌈": " emojirainbow ",
    "🏳️‍⚧️": " emojitrans ",
    "🏳‍⚧": " emojitrans ",
    "🤰": " emojipregnant ",
    "🎗": " emojiribbon ",
    "✝": " emojicross ",
    "☪": " emojicrescent ",
    "✡": " emojistar ",
    "🕌": " emojimosque ",
    "⛪": " emojichurch ",
    "🕍": " emojisynagogue ",
    "📿": " emojibeads ",
    "🪔": " emojidiya ",
    "☭": " emojihammer ",
    "💊": " emojipill ",
    "🏥": " emojihospital ",
    "♿": " emojiwheelchair ",
}
_EMOJI_RE = re.compile("|".join(re.escape(e) for e in sorted(_EMOJI, key=len, reverse=True)))
_NON_WORD = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def normalise(text: str) -> str:
    """Lowercase, accent-free words separated by single spaces (emoji named, hashtags split)."""
    text = _EMOJI_RE.sub(lambda m: _EMOJI[m.group(0)], text)
    text = re.sub(r"#(\w+)", lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)
    text = strip_accents(text.lower()).replace("’", "'")
    return " " + " ".join(_NON_WORD.sub(" ", text).split()) + " "


def mask_places(text: str) -> str:
    """The text with street, station and stop names replaced by ``place``."""
    return _PLACE_AFTER.sub(" place ", _PLACE_BEFORE.sub(" place ", text))


def _pattern(raw: str) -> re.Pattern[str]:
    parts: list[str] = []
    for phrase in raw.split("|"):
        phrase = strip_accents(phrase.strip().lower())
        if not phrase:
            continue
        words = _NON_WORD.sub(" ", phrase.rstrip("*")).split()
        body = r"\s".join(re.escape(w) for w in words)
        parts.append(body + (r"[a-z0-9]*" if phrase.endswith("*") else ""))
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<=\s)(?:" + "|".join(parts) + r")(?=\s)")


_STRONG = {category: _pattern(raw) for category, raw in STRONG.items()}
_WEAK = {category: _pattern(raw) for category, raw in WEAK.items()}


def strong_categories(normalised: str) -> frozenset[str]:
    """Categories a strong term reveals in normalised, place-masked text."""
    return frozenset(c for c, pattern in _STRONG.items() if pattern.search(normalised))


def counts(normalised: str) -> list[float]:
    """Strong then weak hits per category (12 numbers), as classifier features."""
    strong = [float(len(_STRONG[c].findall(normalised))) for c in CATEGORIES]
    weak = [float(len(_WEAK[c].findall(normalised))) for c in CATEGORIES]
    return strong + weak


# Names that hold a category word but name something else (a tourist office, a sports club).
_NEUTRAL = re.compile(
    r"(?<=\s)(?:syndicat d initiative|syndic de copropriete|union sportive|union deportiva|"
    r"union jack|race for life|labour of love|hotel dieu)(?=\s)"
)


def prepare(texts: Iterable[str]) -> list[str]:
    """Normalised, place-masked texts: what the look-ups and the character n-grams read."""
    return [_NEUTRAL.sub("name", normalise(mask_places(t))) for t in texts]
