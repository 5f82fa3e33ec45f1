"""French post templates. Slots: {employer} {job} {city} {old_city} {car} {item} {place} {kid}."""

from __future__ import annotations

EVENTS: dict[str, list[str]] = {
    "new_job": [
        "Premier jour chez {employer} aujourd'hui, trop hâte !",
        "Nouvelle aventure : je rejoins {employer} comme {job}",
        "Ça y est, j'ai signé mon CDI chez {employer} !!",
        "Après 6 mois de recherche, j'ai enfin trouvé du boulot. {job} chez {employer}",
        "Heureux d'annoncer que je commence lundi chez {employer}",
        "Nouveau taf, nouvelle équipe, nouveaux défis. Merci {employer} pour la confiance",
        "j'ai été prise chez {employer} !!! je commence le 1er",
        "Fin de la période d'essai validée chez {employer}, je reste 💪",
    ],
    "promotion": [
        "Promu {job} chez {employer}, fier du chemin parcouru",
        "Grosse nouvelle : je deviens responsable d'équipe à partir du mois prochain",
        "Augmentation + promotion, l'entretien annuel s'est bien passé 😁",
        "Nommé {job}. Merci à toute l'équipe de {employer} !",
        "Enfin reconnue à ma juste valeur : promotion validée !",
        "Nouveau poste en interne, je passe manager",
    ],
    "job_loss": [
        "Licencié ce matin. 12 ans de boîte et on te remercie en 10 minutes.",
        "Plan social chez {employer}, je fais partie de la charrette...",
        "Fin de contrat, retour à Pôle emploi / France Travail",
        "Je cherche du travail comme {job} sur {city} et environs, partagez svp",
        "Rupture conventionnelle signée. Je ne sais pas encore ce que je vais faire",
        "{employer} ferme le site, on est tous dehors",
        "Mon CDD n'a pas été renouvelé. Si quelqu'un a une piste...",
    ],
    "business_opened": [
        "J'ouvre ma boutique à {city} samedi ! Venez nombreux",
        "Ma micro-entreprise est enfin créée, premier client signé",
        "Inauguration de mon salon de coiffure ce week-end 💇",
        "Je me lance à mon compte ! Le site est en ligne",
        "Ouverture de notre food truck la semaine prochaine sur {city}",
        "Kbis reçu ce matin. Officiellement chef d'entreprise",
    ],
    "business_closed": [
        "Après 5 ans, j'ai pris la décision de fermer la boutique. Merci aux clients fidèles",
        "Liquidation judiciaire prononcée. Page qui se tourne",
        "Le restaurant ferme définitivement ses portes dimanche",
        "J'arrête mon activité d'auto-entrepreneur, ça ne marchait plus",
        "Cessation d'activité... on a tout essayé",
    ],
    "vehicle_purchase": [
        "Nouvelle voiture ! {car} toute neuve 🚗",
        "Enfin récupéré ma {car} à la concession",
        "Adieu la vieille Clio, bonjour la {car}",
        "Petit cadeau pour moi : une moto neuve 🏍️",
        "Achat de la {car} en LOA, trop contente",
        "On a enfin changé de voiture, une {car} pour la famille",
    ],
    "property_purchase": [
        "Ça y est on a signé chez le notaire !! Propriétaires 🏡",
        "Les clés de notre maison à {city} sont à nous",
        "Premier appart acheté, crédit sur 25 ans mais c'est chez nous",
        "Compromis signé pour la maison, on emménage en septembre",
        "Achat d'un petit studio pour investir",
    ],
    "luxury_purchase": [
        "Je me suis offert {item}, je l'ai bien mérité",
        "Nouvelle {item} au poignet ⌚",
        "Petit plaisir : {item} 😍",
        "Cadeau d'anniversaire à moi-même : {item}",
    ],
    "travel": [
        "Direction {place} pour deux semaines ✈️",
        "Bonjour de {place} ! Il fait 32 degrés",
        "Vacances à {place}, on profite à fond",
        "Dernier jour à {place}, je veux pas rentrer",
        "Road trip en famille, prochaine étape {place}",
        "Week-end à {place} avec ma moitié",
    ],
    "moved": [
        "Déménagement terminé ! Nouvelle vie à {city}",
        "On quitte {old_city} pour {city}, que d'émotions",
        "Premier soir dans notre nouvel appart à {city}",
        "Installés à {city} depuis une semaine, on découvre le quartier",
        "Au revoir {old_city}, bonjour {city} !",
        "Les cartons sont (presque) vidés. Bienvenue chez nous à {city}",
    ],
    "relationship_end": [
        "Nous avons décidé de nous séparer. Merci de respecter notre choix.",
        "Divorce prononcé. Nouveau départ",
        "Célibataire à nouveau... ça fait bizarre après 10 ans",
        "C'est fini entre nous. Pas de commentaires svp",
        "Séparation difficile, je garde les enfants une semaine sur deux",
    ],
    "new_child": [
        "Bienvenue à {kid}, né ce matin, 3,4 kg de bonheur 👶",
        "Notre petite {kid} est arrivée, maman et bébé vont bien",
        "Papa pour la deuxième fois ! Bienvenue {kid}",
        "{kid} a pointé le bout de son nez cette nuit ❤️",
        "Et de trois ! Bienvenue à {kid}",
    ],
    "bereavement": [
        "Mon père nous a quittés cette nuit. Repose en paix papa.",
        "Triste journée, on a dit au revoir à mamie aujourd'hui",
        "Ma mère est partie. Je n'ai pas les mots.",
        "Obsèques de mon frère jeudi. Merci pour vos messages",
        "RIP tonton, tu vas nous manquer",
    ],
    "illness_or_disability": [
        "Hospitalisé depuis lundi, opération prévue demain",
        "Arrêt maladie prolongé de trois mois...",
        "Diagnostic tombé aujourd'hui, le combat commence",
        "En fauteuil pour un moment après l'accident",
        "Longue maladie, je serai moins présent ici",
        "Reconnaissance de travailleur handicapé obtenue, enfin",
    ],
    "financial_hardship": [
        "Fin du mois difficile, plus rien sur le compte au 10",
        "Je vends mes meubles pour payer le loyer, tout doit partir",
        "Découvert, agios, relances... j'en peux plus",
        "Dossier de surendettement déposé à la Banque de France",
        "Si quelqu'un peut me prêter 200 € jusqu'au 5, je rembourse promis",
        "Plus de chauffage cet hiver, on n'a plus les moyens",
        "Cagnotte pour m'aider à payer mes factures, merci de partager",
    ],
}

# Statements that name an event but deny it: always labelled `none`.
NEGATED: dict[str, list[str]] = {
    "job_loss": [
        "Non je n'ai pas perdu mon travail, arrêtez avec les rumeurs",
        "Contrairement à ce qui se dit, je ne suis pas licencié",
    ],
    "new_job": [
        "Toujours pas de nouveau boulot, les recruteurs ne répondent jamais",
        "Non, je ne change pas de travail, je reste chez {employer}",
    ],
    "moved": [
        "On ne déménage pas finalement, on reste à {city}",
        "Pas de déménagement cette année",
    ],
    "vehicle_purchase": ["Non je n'ai pas acheté de {car}, c'est celle de mon beau-frère"],
    "relationship_end": ["On ne se sépare pas, tout va bien merci de vous inquiéter"],
    "property_purchase": ["On n'a pas eu le prêt, pas de maison pour nous cette année"],
    "travel": ["Pas de vacances cette année, on reste à la maison"],
    "promotion": ["Pas de promotion encore cette année, bien sûr"],
    "business_opened": ["Je n'ouvre pas de boutique, c'était un poisson d'avril"],
}

# Ironic wording of a true event: labelled with the event.
IRONIC: dict[str, list[str]] = {
    "job_loss": [
        "Super nouvelle, je suis en vacances illimitées : licencié 🙃",
        "Génial, {employer} m'a libéré de mes obligations... au chômage quoi",
    ],
    "financial_hardship": ["Régime pâtes jusqu'à la fin du mois, le luxe 🙃"],
    "illness_or_disability": ["Trop bien les vacances à l'hôpital, je recommande pas"],
}

# Ironic wording of an event that did not happen: labelled `none`.
IRONIC_NONE = [
    "Je viens de m'acheter une Ferrari... dans mes rêves 😂",
    "Promu chef de la vaisselle à la maison, quelle carrière",
    "Je déménage à Bali... ou pas, retour au bureau lundi",
    "Millionnaire dès demain, j'ai joué au loto 🤡",
]

CHATTER = [
    "Quelle journée... vivement le week-end",
    "Le match hier soir, incroyable !",
    "Qui est chaud pour un resto ce soir sur {city} ?",
    "Encore des bouchons sur le périph ce matin",
    "Trop bon ce gâteau au chocolat",
    "Il pleut encore. Évidemment.",
    "Joyeux anniversaire à ma sœur préférée ❤️",
    "Quelqu'un connaît un bon garagiste vers {city} ?",
    "Rien de tel qu'un café en terrasse",
    "Je recommande ce film, allez-y",
    "Ma fille a eu son bac !! fiers d'elle",
    "Le chat a encore renversé le pot de fleurs",
    "Footing du dimanche matin, 10 km",
    "La rentrée déjà ? l'été passe trop vite",
    "Merci pour vos messages d'anniversaire ♥",
    "Soirée raclette entre amis",
    "Qui regarde la finale ce soir ?",
    "Marché de Noël à {city}, toujours aussi magique",
    "Réunion qui aurait pu être un mail",
    "Ce lundi matin est très lundi",
    "Concert génial hier soir",
    "Barbecue chez les voisins",
    "Le printemps arrive enfin 🌸",
    "Fête des voisins ce soir dans la résidence",
]

OPENERS = ["", "", "", "Bon, ", "Petite news : ", "Enfin ! ", "Voilà, ", "Bref. "]
CLOSERS = ["", "", "", " Merci à tous !", " Bisous", " À bientôt", " 🙏", "..."]
FILLERS = {
    "car": ["Peugeot 3008", "Renault Clio", "Tesla Model 3", "Citroën C4", "Audi A3", "Dacia"],
    "item": ["une Rolex", "un sac Louis Vuitton", "un iPhone dernier modèle", "une montre Cartier"],
    "place": ["Marrakech", "la Réunion", "New York", "Bali", "la Corse", "Barcelone", "Lisbonne"],
    "kid": ["Léa", "Gabriel", "Jade", "Louis", "Emma", "Raphaël", "Chloé", "Hugo"],
}
