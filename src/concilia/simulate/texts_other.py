"""A few posts in Portuguese and German: out-of-scope languages a classifier must recognise."""

from __future__ import annotations

EVENTS: dict[str, dict[str, list[str]]] = {
    "pt": {
        "new_job": ["Primeiro dia no trabalho novo em {employer}!"],
        "job_loss": ["Fui despedido hoje. Não sei o que fazer."],
        "travel": ["Férias em {place}, que maravilha ✈️"],
        "new_child": ["Bem-vindo {kid}, nasceu esta manhã 👶"],
        "none": ["Que dia lindo hoje", "Alguém para um café em {city}?", "Saudades da família"],
    },
    "de": {
        "new_job": ["Erster Tag bei {employer}, bin gespannt!"],
        "job_loss": ["Heute gekündigt worden. Nach zehn Jahren."],
        "moved": ["Umzug geschafft! Neues Leben in {city}"],
        "vehicle_purchase": ["Neues Auto! Ein {car} 🚗"],
        "none": [
            "Schönes Wochenende euch allen",
            "Was für ein Spiel gestern!",
            "Kaffee und Kuchen",
        ],
    },
}

FILLERS = {
    "car": ["VW Golf", "BMW 3er"],
    "item": ["uma Rolex"],
    "place": ["Algarve", "Mallorca", "Nova Iorque"],
    "kid": ["Miguel", "Lena"],
}
