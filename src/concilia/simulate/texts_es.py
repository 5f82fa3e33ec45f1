"""Spanish post templates. Slots: {employer} {job} {city} {old_city} {car} {item} {place} {kid}."""

from __future__ import annotations

EVENTS: dict[str, list[str]] = {
    "new_job": [
        "Primer día en {employer}, ¡qué nervios!",
        "Nueva etapa: me incorporo a {employer} como {job}",
        "¡Por fin contrato indefinido en {employer}!",
        "Después de meses buscando, tengo curro. {job} en {employer}",
        "Empiezo el lunes en {employer}, deseadme suerte",
        "Me han cogido en {employer} 🎉🎉",
        "Superado el periodo de prueba en {employer}, me quedo",
    ],
    "promotion": [
        "Ascendido a {job} en {employer}, muy orgulloso",
        "Me han ascendido!! Jefa de equipo desde el mes que viene",
        "Subida de sueldo y ascenso, la evaluación anual fue genial",
        "Nuevo cargo: {job}. Gracias al equipo de {employer}",
        "Por fin reconocen mi trabajo: ascenso confirmado",
    ],
    "job_loss": [
        "Me han despedido esta mañana. 10 años en la empresa y ni las gracias.",
        "ERE en {employer}, me ha tocado...",
        "Se acabó el contrato, vuelta al paro",
        "Busco trabajo de {job} en {city} y alrededores, compartid porfa",
        "{employer} cierra y nos vamos todos a la calle",
        "No me renuevan el contrato. Si alguien sabe de algo...",
    ],
    "business_opened": [
        "¡Abrimos la tienda en {city} este sábado! Os esperamos",
        "Por fin me he dado de alta como autónomo, primer cliente",
        "Inauguración de mi peluquería este finde 💇",
        "Emprendo! Ya está la web en marcha",
        "Abrimos el bar la semana que viene en {city}",
    ],
    "business_closed": [
        "Después de 6 años cierro la tienda. Gracias a los clientes de siempre",
        "Concurso de acreedores. Se cierra una etapa",
        "El restaurante cierra definitivamente el domingo",
        "Me doy de baja de autónomos, no salían las cuentas",
        "Cerramos el negocio... lo intentamos todo",
    ],
    "vehicle_purchase": [
        "¡Coche nuevo! Un {car} recién salido del concesionario 🚗",
        "Por fin recogí mi {car}",
        "Adiós al viejo Ibiza, hola {car}",
        "Me he comprado una moto 🏍️",
        "Estrenamos {car} para la familia",
    ],
    "property_purchase": [
        "¡Firmamos en el notario! Ya somos propietarios 🏡",
        "Las llaves de nuestra casa en {city} ya son nuestras",
        "Primer piso comprado, hipoteca a 30 años pero es nuestro",
        "Compramos un apartamento en la playa",
        "Arras firmadas, nos mudamos en septiembre",
    ],
    "luxury_purchase": [
        "Me he dado un capricho: {item}",
        "Nuevo {item} 😍",
        "Regalo de cumple para mí: {item}",
        "Me lo merecía: {item}",
    ],
    "travel": [
        "Rumbo a {place} dos semanas ✈️",
        "¡Saludos desde {place}! 35 grados",
        "Vacaciones en {place}, disfrutando al máximo",
        "Último día en {place}, no quiero volver",
        "Escapada de fin de semana a {place}",
    ],
    "moved": [
        "¡Mudanza terminada! Nueva vida en {city}",
        "Dejamos {old_city} por {city}, qué emoción",
        "Primera noche en el piso nuevo de {city}",
        "Adiós {old_city}, hola {city}!",
        "Ya instalados en {city}, conociendo el barrio",
    ],
    "relationship_end": [
        "Hemos decidido separarnos. Os pido respeto.",
        "Divorcio firmado. Nueva etapa",
        "Otra vez soltera... se hace raro después de 8 años",
        "Se acabó lo nuestro. Sin comentarios por favor",
    ],
    "new_child": [
        "Bienvenido {kid}, nació esta mañana, 3,2 kg 👶",
        "Ya está aquí nuestra pequeña {kid}, mamá y bebé bien",
        "¡Papá por segunda vez! Bienvenida {kid}",
        "{kid} llegó esta noche ❤️",
    ],
    "bereavement": [
        "Mi padre nos dejó anoche. Descansa en paz papá.",
        "Hoy despedimos a la abuela",
        "Se fue mi madre. No tengo palabras.",
        "DEP tío, te echaremos de menos",
        "Funeral de mi hermano el jueves. Gracias por los mensajes",
    ],
    "illness_or_disability": [
        "Ingresado desde el lunes, mañana me operan",
        "Baja médica prorrogada tres meses más...",
        "Hoy me han dado el diagnóstico, empieza la lucha",
        "En silla de ruedas una temporada tras el accidente",
        "Me han reconocido la incapacidad permanente",
    ],
    "financial_hardship": [
        "Fin de mes complicado, a día 10 ya no queda nada",
        "Vendo los muebles para pagar el alquiler, todo tiene que salir",
        "Números rojos, recibos devueltos... no puedo más",
        "Si alguien me puede prestar 200 € hasta el 5, lo devuelvo seguro",
        "Este invierno sin calefacción, no llegamos",
        "He pedido ayuda a servicios sociales para pagar la luz",
    ],
}

NEGATED: dict[str, list[str]] = {
    "job_loss": [
        "No, no me han despedido, dejad los rumores",
        "Contra lo que dicen, sigo en {employer}, no me han echado",
    ],
    "new_job": ["Sigo sin encontrar curro, nadie contesta"],
    "moved": ["Al final no nos mudamos, nos quedamos en {city}"],
    "vehicle_purchase": ["No me he comprado ningún {car}, es el de mi cuñado"],
    "relationship_end": ["No nos separamos, todo bien, gracias por preocuparos"],
    "property_purchase": ["No nos dieron la hipoteca, este año sin piso"],
    "travel": ["Este año no hay vacaciones, nos quedamos en casa"],
    "promotion": ["Otro año sin ascenso, cómo no"],
}

IRONIC: dict[str, list[str]] = {
    "job_loss": ["Qué suerte, vacaciones indefinidas: despedido 🙃"],
    "financial_hardship": ["Dieta de macarrones hasta fin de mes, qué lujo 🙃"],
    "illness_or_disability": ["Qué bien se está en el hospital, lo recomiendo (no)"],
}

IRONIC_NONE = [
    "Me acabo de comprar un Ferrari... en sueños 😂",
    "Ascendida a jefa de la plancha en casa, qué carrera",
    "Me mudo a Bali... o no, el lunes a la oficina",
]

CHATTER = [
    "Qué día... que llegue ya el finde",
    "Vaya partido anoche!!",
    "¿Alguien para unas cañas en {city}?",
    "Atasco en la M-30 otra vez",
    "Feliz cumple a la mejor hermana ❤️",
    "¿Alguien conoce un buen mecánico por {city}?",
    "Nada como un café en la terraza",
    "Os recomiendo esta peli",
    "Mi hija ha aprobado selectividad, qué orgullo",
    "Paella del domingo con la familia",
    "Otra vez lloviendo. Cómo no.",
    "Gracias por las felicitaciones ♥",
    "Carrera popular de 10 km, terminada",
    "Reunión que podía haber sido un correo",
    "Barbacoa con los vecinos",
    "Ya huele a primavera 🌸",
    "Concierto increíble anoche",
    "Fiestas del pueblo este finde",
]

OPENERS = ["", "", "", "Bueno, ", "Noticia: ", "¡Por fin! ", "Pues nada, "]
CLOSERS = ["", "", "", " ¡Gracias a todos!", " Besos", " 🙏", "..."]
FILLERS = {
    "car": ["SEAT León", "Toyota C-HR", "Tesla Model 3", "Renault Captur", "Kia Sportage"],
    "item": ["un Rolex", "un bolso de Loewe", "un iPhone nuevo", "un reloj Omega"],
    "place": ["Cancún", "Canarias", "Nueva York", "Punta Cana", "Ibiza", "París", "Lisboa"],
    "kid": ["Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Leo", "Vega", "Pablo"],
}
