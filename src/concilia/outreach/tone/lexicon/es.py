# ruff: noqa: E501  (regex patterns read better unbroken)
"""Spanish phrase rules (patterns run on folded text: lowercase, no accents, ' apostrophes).

Same line as in English and French: "el acreedor podrá valorar las acciones legales" is
lawful and not flagged; detención, cárcel, policía, denuncia penal, embargo anunciado como
cierto o inminente, intimidación are threats; a step stated as already taken ("demanda
judicial inmediata", "hemos avisado a su empresa") is a false claim.
"""

from __future__ import annotations

from typing import Final

from concilia.outreach.tone.lexicon import Rule

# Up to N words in between, never across punctuation (a comma often starts a new claim).
_GAP = r"(?:[^\w.!?;:,]+[\w'*]+){0,%d}?"
_FAMILY = (
    r"(?:madre|padre|padres|marido|mujer|esposa|esposo|pareja|hijo|hija|hijos|hermano|hermana|"
    r"hermanos|familia|familiares|abuel[oa]s?|suegr[oa]s?)"
)
_WORK = r"(?:jefe|jefa|encargad[oa]|empresa|empleador|companer[oa]s?|superior|supervisor)"
_OTHERS = r"(?:vecin[oa]s?|amig[oa]s?|casero)"
_PEOPLE = rf"(?:{_FAMILY}|{_WORK}|{_OTHERS})"
_ASSETS = (
    r"(?:nomina|sueldo|salario|cuenta(?: bancaria)?|coche|vehiculo|casa|vivienda|piso|"
    r"muebles|bienes|pension|prestacion)"
)

RULES: Final[tuple[Rule, ...]] = (
    # --- amenazas ----------------------------------------------------------------------
    Rule("threat", r"\b(?:le|la|lo) (?:detengan|arresten|encarcelen|metan en la carcel)\b"),
    Rule("threat", r"\b(?:su )?(?:detencion|arresto)(?: inmediat[oa])?\b"),
    Rule("threat", r"\borden de (?:detencion|arresto|busca y captura)\b"),
    Rule(
        "threat",
        r"\b(?:ira|iria|acabara|terminara|meteremos|meterle|mandarle|enviarle)(?: directamente)? (?:a|en) (?:la )?(?:carcel|prision|calabozo)\b",
    ),
    Rule("threat", r"\b(?:carcel|prision|calabozo)\b"),
    Rule(
        "threat",
        r"\b(?:policia|guardia civil) (?:estara|ira|vendra|se presentara|va a|llamara|aparecera)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule(
        "threat",
        r"\b(?:agentes|policias|guardias) (?:podrian|van a|iran a|pueden|vendran a) (?:ir a )?(?:detener|arrestar|buscar)\w*\b",
    ),
    Rule(
        "threat",
        r"\b(?:denuncia (?:penal|por (?:estafa|fraude|robo|apropiacion indebida))|antecedentes penales|via penal|delito de estafa)\b",
    ),
    Rule(
        "threat",
        r"\b(?:vamos a|voy a|van a) (?:embargar|bloquear|confiscar|vaciar|denunciar|arruinar|demandar|llevar a juicio)\w*\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,5}",
    ),
    Rule(
        "threat",
        r"\b(?:quitarle|quitar|le quitaremos|le quitaran|le vamos a quitar) (?:el|la|los|las|su|sus|todo) (?:"
        + _ASSETS[3:-1]
        + r"|todo|lo que tiene)\b",
    ),
    Rule(
        "threat",
        r"\b(?:le|la|lo) vamos a (?:demandar|denunciar|embargar|arruinar|llevar a juicio|hundir)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,5}",
    ),
    Rule(
        "threat",
        r"\b(?:embargaremos|bloquearemos|confiscaremos|demandaremos|denunciaremos|arruinaremos|vaciaremos)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,5}",
    ),
    Rule(
        "threat",
        r"\b(?:le|la) (?:embargaran|llevaremos a juicio|denunciaremos)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule(
        "threat",
        r"\b(?:presentaremos|interpondremos) (?:una|la) (?:demanda|denuncia)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule(
        "threat",
        r"\b(?:su|sus) "
        + _ASSETS
        + _GAP % 2
        + r" (?:sera|seran|va a ser|van a ser) (?:embargad|bloquead|retirad|quitad|subastad)\w*",
    ),
    Rule("threat", r"\bllevar(?:le|la)? a juicio\b"),
    Rule("threat", r"\bperdera (?:su casa|su vivienda|su trabajo|su coche|todo)\b"),
    Rule("threat", r"\bsabemos donde (?:vive|trabaja|viven|duerme)\b"),
    Rule("threat", r"\bse (?:va a|podria) arrepentir\b|\bse arrepentira\b"),
    Rule(
        "threat",
        r"\bhacer(?:le)? la vida (?:muy )?(?:imposible|dificil|un infierno|insoportable)\b",
    ),
    Rule(
        "threat",
        r"\b(?:nuestros (?:agentes|cobradores|hombres)|iremos|vamos a ir)(?: iran)? (?:a su casa|a cobrar|a su domicilio|a buscarle|a verle)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule("threat", r"\bquitarle todo lo que tiene\b|\bquitarle la casa\b"),
    Rule("threat", r"\bvamos a por (?:su|tu|usted|ti)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,3}"),
    Rule(
        "threat",
        r"\b(?:mandamos|mandaremos|enviaremos|vamos a mandar|vamos a enviar) a (?:unos|nuestros|alguien|gente)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule(
        "threat",
        r"\b(?:le|la|lo|te) (?:van a|vamos a|vais a) (?:detener|arrestar|encarcelar|denunciar)\b",
    ),
    Rule(
        "threat",
        r"\b(?:le|la|lo|te) (?:denunciaremos|denunciaran) a la (?:policia|guardia civil)\b",
    ),
    # --- acoso -------------------------------------------------------------------------
    Rule("harassment", r"\bcada hora\b|\bcada \d+ minutos\b", strong=True),
    Rule("harassment", r"\bdia y noche\b", strong=True),
    Rule("harassment", r"\b(?:varias|muchas|\d+|diez|cinco) veces al dia\b"),
    Rule(
        "harassment",
        r"\b(?:llam\w*|escrib\w*|contact\w*|mensaj\w*|molest\w*)"
        + _GAP % 3
        + r" (?:todos los dias|cada dia|todas las noches)\b",
    ),
    Rule("harassment", r"\bllamada (?:numero )?\d+ (?:de hoy|del dia|de esta semana)\b"),
    Rule(
        "harassment",
        r"\bno (?:vamos a parar|pararemos|dejaremos de (?:llamar|contactar|escribir|insistir)\w*)\b",
        negatable=False,
    ),
    Rule(
        "harassment",
        r"\bseguiremos (?:llamando|escribiendo|insistiendo|enviando|contactando)\w*\b",
        negatable=False,
    ),
    Rule("harassment", r"\btenemos (?:otros|mas numeros|muchos numeros)\b", strong=True),
    Rule("harassment", r"\btodas las veces que (?:haga falta|sea necesario|queramos)\b"),
    Rule("harassment", r"\bllamadas todo el fin de semana\b"),
    Rule(
        "harassment",
        r"\b(?:solicitud de baja|baja|oposicion)" + _GAP % 1 + r" (?:sera|es|ha sido) ignorada\b",
        strong=True,
    ),
    Rule("harassment", r"\ben todas las redes\b"),
    Rule("harassment", r"\b([a-z]+(?: [a-z]+){0,3})[.!]+ \1[.!]+ \1\b", strong=True),
    Rule("harassment", r"\bignorarnos para siempre\b"),
    # --- insultos y palabrotas ---------------------------------------------------------
    Rule(
        "insult",
        r"\b(?:mentiros[oa]s?|inutil(?:es)?|desgraciad[oa]s?|imbeciles?|idiotas?|ladron(?:a|es)?|aprovechad[oa]s?|cobardes?|parasitos?|sinverguenzas?|gilipollas|cabron(?:a|es)?|estupid[oa]s?|tont[oa]s?|caradura|chorizos?|muerto de hambre|payas[oa]s?)\b",
    ),
    Rule("insult", r"\b(?:mierda|joder|hostia|cono|puta|puto|culo)\b"),
    Rule(
        "insult",
        r"\b(?:pateticas?|pateticos?|vergonzos[oa]s?|lamentables?|asquerosos?|asquerosas?)\b",
    ),
    Rule("insult", r"\b(?:oye|eh|mire) (?:el |la |usted )?(?:moros[oa]|deudor|muerto de hambre)\b"),
    Rule("insult", r"\bque verguenza\b|\bes usted una verguenza\b"),
    Rule("insult", r"\bustedes son todos iguales\b"),
    Rule("insult", r"\bhay que ser (?:muy )?(?:imbecil|idiota|tonto|estupido)\b"),
    # --- humillación pública -----------------------------------------------------------
    Rule("public_shaming", r"\blista (?:publica )?de (?:morosos|deudores|impagados)\b"),
    Rule(
        "public_shaming",
        r"\b(?:publica|difund|compart|colga|expon|anunci)\w*"
        + _GAP % 4
        + r" (?:en internet|en (?:las )?redes(?: sociales)?|en facebook|en instagram|en nuestra web|publicamente|para que todos|a sus seguidores)\b",
    ),
    Rule("public_shaming", r"\b(?:publicar|difundir|exponer) su (?:nombre|deuda|foto|situacion)\b"),
    Rule(
        "public_shaming",
        r"\btod[oa]s? (?:su|sus|el|la) (?:facebook|barrio|entorno|vecindario|calle|familia|parroquia|empresa|pueblo|edificio|mundo|amigos|companeros|vecinos)\b"
        + _GAP % 3
        + r" (?:sabra|sabran|se enterara|se enteraran|vera|veran|lo sabra)\b",
    ),
    Rule("public_shaming", r"\btodo el barrio\b"),
    Rule(
        "public_shaming",
        r"\b(?:avisaremos|informaremos|diremos|contaremos|comunicaremos) a (?:sus|su) (?:vecinos|amigos|familiares|familia|companeros|seguidores|contactos)\b",
    ),
    Rule(
        "public_shaming",
        r"\blo que (?:pensaran|diran|van a pensar) (?:sus|su) (?:companeros|vecinos|amigos|familiares|hijos)\b",
    ),
    Rule("public_shaming", r"\bcomentaremos sus publicaciones\b"),
    Rule("public_shaming", r"\b(?:le|la) (?:etiquetaremos|mencionaremos)\b"),
    Rule("public_shaming", r"\bcobrador del frac\b"),
    Rule("public_shaming", r"\bnombre aparecera en\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,7}"),
    Rule("public_shaming", r"\bpronto tod[oa]\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}"),
    Rule("public_shaming", r"\b(?:cartel|aviso|anuncio|pancarta)(?:es)? con su nombre\b"),
    # --- falsa urgencia ----------------------------------------------------------------
    Rule("false_urgency", r"\bultim[oa] (?:aviso|oportunidad|advertencia)\b"),
    Rule("false_urgency", r"\b(?:en|dentro de) (?:\d+|una|dos) (?:horas?|minutos)\b", strong=True),
    Rule("false_urgency", r"\ben los proximos \d+ minutos\b", strong=True),
    Rule("false_urgency", r"\b(?:solo )?(?:le )?queda (?:una|1) hora\b", strong=True),
    Rule("false_urgency", r"\ben la proxima hora\b", strong=True),
    Rule("false_urgency", r"\bhasta (?:esta )?medianoche\b"),
    Rule("false_urgency", r"\burgente\b"),
    Rule(
        "false_urgency",
        r"\bse exige el pago\b|\bpago inmediato (?:obligatorio|exigido|requerido)\b",
    ),
    Rule("false_urgency", r"\bactue (?:de inmediato|inmediatamente|ya|hoy)\b"),
    Rule(
        "false_urgency", r"\bya no hay nada que hacer\b|\bno podremos hacer nada\b", negatable=False
    ),
    Rule("false_urgency", r"\bgraves consecuencias\b"),
    Rule("false_urgency", r"\b(?:comenzara|empezara|se iniciara) automaticamente\b"),
    Rule("false_urgency", r"\bse cerrara definitivamente\b"),
    Rule("false_urgency", r"\bdesaparecera para siempre\b"),
    Rule("false_urgency", r"\bno se enviaran mas (?:recordatorios|avisos)\b", negatable=False),
    Rule("false_urgency", r"\bhoy es su ultima\b"),
    # --- falsas afirmaciones legales u oficiales ---------------------------------------
    Rule(
        "false_legal_claim",
        r"\b(?:hemos|he) (?:ya )?(?:avisado|informado|notificado|contactado|comunicado|escrito) (?:a|con) su (?:empresa|jefe|empleador|banco)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\bsu (?:empresa|jefe|empleador|banco) ha sido (?:ya )?(?:informad|avisad|notificad|contactad)\w*",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:procurador|cobrador judicial|agente judicial|funcionario judicial|comision judicial|secretario judicial)\b"
        + _GAP % 4
        + r" (?:pasara|ira|vendra|visitara|se presentara|esta asignado|ha sido asignado|ha sido enviado|manana|esta en camino)\w*",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:asignado|enviado|designado) (?:a )?un (?:procurador|cobrador judicial|agente judicial)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:notificacion|aviso|comunicacion|documento) oficial del (?:juzgado|tribunal|estado|gobierno|ministerio)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:valor|fuerza) de (?:orden|resolucion|sentencia|mandamiento) judicial\b",
    ),
    Rule("false_legal_claim", r"\bse ha dictado (?:ya )?(?:una )?(?:sentencia|orden|resolucion)\b"),
    Rule(
        "false_legal_claim",
        r"\bel (?:juzgado|juez|tribunal) ha (?:ya )?(?:ordenado|autorizado|dictado|aprobado|condenado)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:hemos|ha|han) (?:ya )?(?:presentado|interpuesto|iniciado) (?:ya )?(?:una |la )?(?:demanda|denuncia|procedimiento|accion judicial)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule("false_legal_claim", r"\bdemanda judicial inmediata\b"),
    Rule("false_legal_claim", r"\bvista (?:fijada|senalada|programada)\b"),
    Rule(
        "false_legal_claim",
        r"\b(?:enviado|remitido|trasladado|entregado) a la (?:guardia civil|policia|fiscalia)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:colaborando|trabajando|coordinados) con la (?:policia|guardia civil|fiscalia)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\ben nombre de (?:hacienda|la agencia tributaria|el estado|el gobierno|el juzgado|la seguridad social)\b",
    ),
    Rule("false_legal_claim", r"\bcomo sus abogados\b|\bsomos sus abogados\b"),
    Rule(
        "false_legal_claim",
        r"\b(?:inscrit|incluid|registrad|metid)[oa]s?(?: su nombre)? (?:en|a) (?:el|un) (?:registro|fichero|listado) (?:nacional )?de (?:morosos|deudores)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:inscrito|incluido|registrado) su nombre en\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,5}",
    ),
    Rule(
        "false_legal_claim", r"\besta carta es (?:una|un) (?:orden|documento|resolucion) judicial\b"
    ),
    Rule(
        "false_legal_claim",
        r"\bcitacion(?: oficial)? (?:del|al|ante el) (?:juzgado|tribunal|juez)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\bpor (?:orden|resolucion|mandato|decision) (?:judicial|del juez|del juzgado)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:procuradore?s?|cobradore?s? judiciales?|agentes? judicial(?:es)?)\b"
        + _GAP % 2
        + r" (?:estan|esta|han sido|ha sido) (?:autorizad|habilitad|enviad)\w*",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:hacienda|la agencia tributaria|la policia|la guardia civil|la fiscalia|las autoridades|la seguridad social|el juzgado) (?:ha|han) sido (?:ya )?(?:informad|avisad|notificad|alertad)\w*",
    ),
    # --- presión sobre terceros --------------------------------------------------------
    Rule(
        "third_party_pressure",
        r"\b(?:llamado|contactado|telefoneado|hablado|dejado un mensaje|escrito|pedido|visitado)(?: (?:a|con|de su situacion con|de su deuda con))?"
        + _GAP % 2
        + r" (?:a )?(?:su|sus) "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:avisado|informado|contado) a (?:su|sus) "
        + rf"(?:{_FAMILY}|companer[oa]s?|amig[oa]s?|vecin[oa]s?)"
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\bdigale a (?:su|sus) " + _FAMILY + r" que (?:pague|paguen|cubra|le ayude)\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:su|sus) "
        + _FAMILY
        + r" (?:deberia|debe|tendra que|tiene que|deberian|deben) (?:pagar|cubrir|saldar|ayudar)\w*",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:su|sus) "
        + rf"(?:{_FAMILY}|companer[oa]s?|amig[oa]s?|vecin[oa]s?|encargad[oa]|jefe)"
        + r" (?:ha|han) sido (?:ya )?(?:informad|avisad|notificad|contactad|llamad)\w*",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:vamos a|voy a|tendremos que) (?:contactar|llamar|hablar|avisar|escribir|visitar)(?: con| a)? (?:a )?(?:su|sus) "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:llamaremos|contactaremos|pediremos|escribiremos|avisaremos|visitaremos) a (?:su|sus) "
        + rf"(?:{_FAMILY}|{_WORK})"
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:hablar|hablado|comentar|comentado|tratar|tratado) (?:de )?su (?:situacion|deuda|expediente|impago) con (?:su|sus) "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\bcopia de (?:esta|nuestra|la) (?:carta|comunicacion|notificacion|mensaje) a (?:su|sus) "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure", r"\b(?:pidale|digale|pida|diga) a (?:su|sus) " + _FAMILY + r" que\b"
    ),
    Rule("third_party_pressure", r"\bpuesto en contacto con (?:su|sus) " + _PEOPLE + r"\b"),
    Rule("third_party_pressure", r"\bdecirle que (?:debe|nos debe|tiene una deuda)\b"),
    Rule("third_party_pressure", r"\b(?:le )?transmitan el mensaje\b"),
    Rule("third_party_pressure", r"\bhasta que (?:alguno|uno de ellos) le convenza\b"),
)
