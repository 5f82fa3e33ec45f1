"""The portal's words in French, Spanish and English, and the choice of language.

Kept as data here until the shared Babel catalogs of ``web`` exist; every key has all
three languages (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("fr", "es", "en")
DEFAULT_LANG = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "portal_title": {"fr": "Votre espace", "es": "Su espacio", "en": "Your account"},
    "skip": {"fr": "Aller au contenu", "es": "Ir al contenido", "en": "Skip to content"},
    "language": {"fr": "Langue", "es": "Idioma", "en": "Language"},
    "entry_heading": {
        "fr": "Accéder à votre dossier",
        "es": "Acceder a su expediente",
        "en": "Open your file",
    },
    "entry_intro": {
        "fr": "Saisissez la référence indiquée sur notre courrier ou message. Nous vérifierons "
        "ensuite votre identité avant de vous montrer quoi que ce soit.",
        "es": "Escriba la referencia que figura en nuestra carta o mensaje. Después "
        "comprobaremos su identidad antes de mostrarle nada.",
        "en": "Enter the reference shown on our letter or message. We will then check who you "
        "are before showing you anything.",
    },
    "reference": {"fr": "Référence", "es": "Referencia", "en": "Reference"},
    "continue": {"fr": "Continuer", "es": "Continuar", "en": "Continue"},
    "reference_required": {
        "fr": "Indiquez votre référence.",
        "es": "Indique su referencia.",
        "en": "Enter your reference.",
    },
    "link_invalid": {
        "fr": "Ce lien n'est pas valable ou a expiré. Saisissez votre référence ci-dessous.",
        "es": "Este enlace no es válido o ha caducado. Escriba su referencia a continuación.",
        "en": "This link is not valid or has expired. Enter your reference below.",
    },
    "check_heading": {
        "fr": "Vérifions qu'il s'agit bien de vous",
        "es": "Comprobemos que es usted",
        "en": "Let us check it is you",
    },
    "check_intro": {
        "fr": "Répondez avec les informations que nous avons sur vous.",
        "es": "Responda con los datos que tenemos sobre usted.",
        "en": "Answer with the details we hold about you.",
    },
    "method_dob": {
        "fr": "Date de naissance et code postal",
        "es": "Fecha de nacimiento y código postal",
        "en": "Date of birth and postcode",
    },
    "method_digits": {
        "fr": "Les 4 derniers caractères de la référence du compte",
        "es": "Los 4 últimos caracteres de la referencia de la cuenta",
        "en": "The last 4 characters of the account reference",
    },
    "dob": {"fr": "Date de naissance", "es": "Fecha de nacimiento", "en": "Date of birth"},
    "dob_hint": {"fr": "jj/mm/aaaa", "es": "dd/mm/aaaa", "en": "dd/mm/yyyy"},
    "dob_invalid": {
        "fr": "Indiquez une date au format jj/mm/aaaa.",
        "es": "Indique una fecha con el formato dd/mm/aaaa.",
        "en": "Enter a date as dd/mm/yyyy.",
    },
    "postal_code": {"fr": "Code postal", "es": "Código postal", "en": "Postcode"},
    "postal_code_required": {
        "fr": "Indiquez votre code postal.",
        "es": "Indique su código postal.",
        "en": "Enter your postcode.",
    },
    "last_digits": {
        "fr": "4 derniers caractères",
        "es": "4 últimos caracteres",
        "en": "Last 4 characters",
    },
    "last_digits_required": {
        "fr": "Indiquez les 4 derniers caractères.",
        "es": "Indique los 4 últimos caracteres.",
        "en": "Enter the last 4 characters.",
    },
    "check_failed": {
        "fr": "Ces informations ne correspondent pas. Vérifiez-les et réessayez.",
        "es": "Estos datos no coinciden. Revíselos e inténtelo de nuevo.",
        "en": "These details do not match. Check them and try again.",
    },
    "locked": {
        "fr": "Trop de tentatives. Par sécurité, l'accès est bloqué jusqu'à {until} (UTC). "
        "Vous pouvez aussi nous appeler.",
        "es": "Demasiados intentos. Por seguridad, el acceso queda bloqueado hasta las {until} "
        "(UTC). También puede llamarnos.",
        "en": "Too many attempts. For your security, access is locked until {until} (UTC). "
        "You can also call us.",
    },
    "code_heading": {
        "fr": "Recevoir un code à usage unique",
        "es": "Recibir un código de un solo uso",
        "en": "Get a one-time code",
    },
    "code_intro": {
        "fr": "Nous envoyons un code à un contact que nous avons déjà. Choisissez lequel.",
        "es": "Enviamos un código a un contacto que ya tenemos. Elija cuál.",
        "en": "We send a code to a contact we already hold. Choose which one.",
    },
    "send_code": {"fr": "Envoyer le code", "es": "Enviar el código", "en": "Send the code"},
    "by_email": {"fr": "Par e-mail à {to}", "es": "Por correo a {to}", "en": "By e-mail to {to}"},
    "by_sms": {"fr": "Par SMS au {to}", "es": "Por SMS al {to}", "en": "By text to {to}"},
    "no_contact": {
        "fr": "Nous n'avons aucun contact pour vous envoyer un code. Appelez-nous.",
        "es": "No tenemos ningún contacto para enviarle un código. Llámenos.",
        "en": "We hold no contact to send you a code. Please call us.",
    },
    "send_failed": {
        "fr": "Le code n'a pas pu être envoyé. Réessayez plus tard ou appelez-nous.",
        "es": "No se ha podido enviar el código. Inténtelo más tarde o llámenos.",
        "en": "The code could not be sent. Try again later or call us.",
    },
    "too_many_sends": {
        "fr": "Trop de codes envoyés. Recommencez depuis le début.",
        "es": "Demasiados códigos enviados. Empiece de nuevo.",
        "en": "Too many codes sent. Please start again.",
    },
    "code_sent": {
        "fr": "Code envoyé. Il est valable {minutes} minutes.",
        "es": "Código enviado. Es válido durante {minutes} minutos.",
        "en": "Code sent. It is valid for {minutes} minutes.",
    },
    "code": {"fr": "Code reçu", "es": "Código recibido", "en": "Code received"},
    "code_wrong": {
        "fr": "Ce code est faux ou a expiré.",
        "es": "El código es incorrecto o ha caducado.",
        "en": "This code is wrong or has expired.",
    },
    "verify_code": {"fr": "Valider", "es": "Validar", "en": "Confirm"},
    "otp_subject": {
        "fr": "Votre code de connexion",
        "es": "Su código de acceso",
        "en": "Your sign-in code",
    },
    "otp_body": {
        "fr": "Votre code à usage unique est {code}. Il est valable {minutes} minutes. "
        "Ne le communiquez à personne, pas même à nous.",
        "es": "Su código de un solo uso es {code}. Es válido durante {minutes} minutos. "
        "No lo comparta con nadie, ni siquiera con nosotros.",
        "en": "Your one-time code is {code}. It is valid for {minutes} minutes. "
        "Do not share it with anyone, not even us.",
    },
    "session_expired": {
        "fr": "Votre session a expiré. Reconnectez-vous.",
        "es": "Su sesión ha caducado. Vuelva a entrar.",
        "en": "Your session has expired. Please sign in again.",
    },
    "start_again": {"fr": "Recommencer", "es": "Empezar de nuevo", "en": "Start again"},
    "sign_out": {"fr": "Se déconnecter", "es": "Salir", "en": "Sign out"},
    "home_heading": {"fr": "Vos dossiers", "es": "Sus expedientes", "en": "Your files"},
    "open": {"fr": "Voir", "es": "Ver", "en": "View"},
    "creditor": {"fr": "Créancier", "es": "Acreedor", "en": "Creditor"},
    "original_creditor": {
        "fr": "Créancier d'origine",
        "es": "Acreedor original",
        "en": "Original creditor",
    },
    "account_reference": {
        "fr": "Référence du compte",
        "es": "Referencia de la cuenta",
        "en": "Account reference",
    },
    "principal": {"fr": "Principal", "es": "Principal", "en": "Principal"},
    "interest": {"fr": "Intérêts", "es": "Intereses", "en": "Interest"},
    "fees": {"fr": "Frais", "es": "Gastos", "en": "Fees"},
    "balance": {"fr": "Reste dû", "es": "Saldo pendiente", "en": "Balance"},
    "as_placed": {"fr": "Montant initial", "es": "Importe inicial", "en": "As placed"},
    "now_owed": {"fr": "Dû aujourd'hui", "es": "Debido hoy", "en": "Owed now"},
    "payments": {"fr": "Paiements", "es": "Pagos", "en": "Payments"},
    "no_payments": {
        "fr": "Aucun paiement enregistré.",
        "es": "Ningún pago registrado.",
        "en": "No payment recorded.",
    },
    "date": {"fr": "Date", "es": "Fecha", "en": "Date"},
    "amount": {"fr": "Montant", "es": "Importe", "en": "Amount"},
    "allocated_to": {"fr": "Imputé sur", "es": "Imputado a", "en": "Allocated to"},
    "unapplied": {"fr": "Non imputé", "es": "No imputado", "en": "Not applied"},
    "plans": {"fr": "Échéancier", "es": "Plan de pagos", "en": "Payment plan"},
    "required_info": {
        "fr": "Informations obligatoires",
        "es": "Información obligatoria",
        "en": "Information the law requires",
    },
    "us_validation": {
        "fr": "Informations de validation (Regulation F, 12 CFR 1006.34)",
        "es": "Información de validación (Regulation F, 12 CFR 1006.34)",
        "en": "Validation information (Regulation F, 12 CFR 1006.34)",
    },
    "itemization_date": {
        "fr": "Date de référence (déchéance)",
        "es": "Fecha de referencia (cancelación)",
        "en": "Itemization date (charge-off)",
    },
    "since_itemization": {
        "fr": "Depuis cette date",
        "es": "Desde esa fecha",
        "en": "Since that date",
    },
    "us_dispute_rights": {
        "fr": "Vous pouvez contester tout ou partie de la dette ou demander le nom et l'adresse "
        "du créancier d'origine. Si vous le faites pendant la période de validation, nous "
        "cessons le recouvrement jusqu'à vous avoir envoyé une vérification.",
        "es": "Puede impugnar toda o parte de la deuda o pedir el nombre y la dirección del "
        "acreedor original. Si lo hace durante el período de validación, dejaremos de cobrar "
        "hasta enviarle una verificación.",
        "en": "You may dispute all or part of the debt, or ask for the name and address of the "
        "original creditor. If you do so within the validation period, we must stop "
        "collection until we send you verification.",
    },
    "fr_required": {
        "fr": "Fondement et décomposition de la créance (art. R124-4 du Code des procédures "
        "civiles d'exécution) : principal, intérêts et frais ci-dessus.",
        "es": "Fundamento y desglose del crédito (art. R124-4 del Code des procédures civiles "
        "d'exécution): principal, intereses y gastos arriba.",
        "en": "Basis and breakdown of the claim (art. R124-4, French Code of civil enforcement "
        "procedures): principal, interest and fees above.",
    },
    "uk_required": {
        "fr": "Des conseils gratuits et indépendants sur la dette sont disponibles auprès de "
        "MoneyHelper (moneyhelper.org.uk).",
        "es": "Hay asesoramiento gratuito e independiente sobre deudas en MoneyHelper "
        "(moneyhelper.org.uk).",
        "en": "Free, independent debt advice is available from MoneyHelper (moneyhelper.org.uk).",
    },
    "es_required": {
        "fr": "Vous pouvez demander le détail de la créance et exercer vos droits d'accès et "
        "d'opposition sur vos données.",
        "es": "Puede pedir el detalle del crédito y ejercer sus derechos de acceso y oposición "
        "sobre sus datos.",
        "en": "You may ask for the detail of the claim and exercise your rights of access and "
        "objection over your data.",
    },
    "actions": {
        "fr": "Que souhaitez-vous faire ?",
        "es": "¿Qué desea hacer?",
        "en": "What would you like to do?",
    },
    "dispute": {"fr": "Contester", "es": "Impugnar", "en": "Dispute"},
    "plan_action": {
        "fr": "Convenir d'un échéancier",
        "es": "Acordar un plan de pagos",
        "en": "Agree a payment plan",
    },
    "preferences": {
        "fr": "Préférences de contact",
        "es": "Preferencias de contacto",
        "en": "Contact preferences",
    },
    "dispute_heading": {
        "fr": "Contester ce dossier",
        "es": "Impugnar este expediente",
        "en": "Dispute this file",
    },
    "reason": {"fr": "Motif", "es": "Motivo", "en": "Reason"},
    "reason_not_mine": {
        "fr": "Ce n'est pas ma dette",
        "es": "No es mi deuda",
        "en": "This is not my debt",
    },
    "reason_already_paid": {
        "fr": "J'ai déjà payé",
        "es": "Ya he pagado",
        "en": "I have already paid",
    },
    "reason_wrong_amount": {
        "fr": "Le montant est faux",
        "es": "El importe es incorrecto",
        "en": "The amount is wrong",
    },
    "reason_other": {"fr": "Autre motif", "es": "Otro motivo", "en": "Another reason"},
    "reason_required": {
        "fr": "Choisissez un motif.",
        "es": "Elija un motivo.",
        "en": "Choose a reason.",
    },
    "statement": {
        "fr": "Expliquez (facultatif)",
        "es": "Explique (opcional)",
        "en": "Explain (optional)",
    },
    "statement_too_long": {
        "fr": "4000 caractères au plus.",
        "es": "4000 caracteres como máximo.",
        "en": "4,000 characters at most.",
    },
    "documents": {"fr": "Justificatifs", "es": "Justificantes", "en": "Documents"},
    "documents_hint": {
        "fr": "PDF, PNG ou JPEG ; {count} fichiers de {mb} Mo au plus.",
        "es": "PDF, PNG o JPEG; {count} archivos de {mb} MB como máximo.",
        "en": "PDF, PNG or JPEG; at most {count} files of {mb} MB each.",
    },
    "document_type": {
        "fr": "« {name} » n'est ni un PDF, ni un PNG, ni un JPEG.",
        "es": "«{name}» no es un PDF, PNG ni JPEG.",
        "en": "“{name}” is not a PDF, PNG or JPEG.",
    },
    "document_size": {
        "fr": "« {name} » dépasse {mb} Mo.",
        "es": "«{name}» supera {mb} MB.",
        "en": "“{name}” is larger than {mb} MB.",
    },
    "document_count": {
        "fr": "{count} fichiers au plus.",
        "es": "{count} archivos como máximo.",
        "en": "At most {count} files.",
    },
    "send_dispute": {
        "fr": "Envoyer la contestation",
        "es": "Enviar la impugnación",
        "en": "Send the dispute",
    },
    "dispute_received": {
        "fr": "Contestation reçue. Nous suspendons le recouvrement de ce dossier pendant que "
        "notre équipe l'examine.",
        "es": "Impugnación recibida. Suspendemos el cobro de este expediente mientras nuestro "
        "equipo la revisa.",
        "en": "Dispute received. We have paused collection on this file while our team reviews it.",
    },
    "disputed_now": {
        "fr": "Ce dossier est contesté : le recouvrement est suspendu.",
        "es": "Este expediente está impugnado: el cobro está suspendido.",
        "en": "This file is disputed: collection is paused.",
    },
    "not_me_heading": {
        "fr": "Ce message ne m'est pas destiné",
        "es": "Este mensaje no es para mí",
        "en": "This message is not for me",
    },
    "not_me_intro": {
        "fr": "Si vous n'êtes pas la personne que nous cherchons, dites-le-nous : nous "
        "n'utiliserons plus ce contact. Aucune information sur le dossier ne vous sera "
        "montrée.",
        "es": "Si no es la persona que buscamos, díganoslo: no volveremos a usar este "
        "contacto. No se le mostrará ninguna información del expediente.",
        "en": "If you are not the person we are looking for, tell us: we will stop using this "
        "contact. No information about the file will be shown to you.",
    },
    "not_me_channel": {
        "fr": "Comment avez-vous été contacté ?",
        "es": "¿Cómo le contactamos?",
        "en": "How were you contacted?",
    },
    "not_me_address": {
        "fr": "L'adresse e-mail ou le numéro qui a reçu le message",
        "es": "El correo o el número que recibió el mensaje",
        "en": "The e-mail address or number that received the message",
    },
    "channel_email": {"fr": "E-mail", "es": "Correo electrónico", "en": "E-mail"},
    "channel_sms": {"fr": "SMS", "es": "SMS", "en": "Text message"},
    "channel_call": {"fr": "Appel", "es": "Llamada", "en": "Phone call"},
    "channel_letter": {"fr": "Courrier", "es": "Carta", "en": "Letter"},
    "channel_social_dm": {
        "fr": "Message privé",
        "es": "Mensaje privado",
        "en": "Private message",
    },
    "channel_required": {
        "fr": "Choisissez un canal.",
        "es": "Elija un canal.",
        "en": "Choose a channel.",
    },
    "not_me_send": {"fr": "Signaler", "es": "Avisar", "en": "Report"},
    "not_me_done": {
        "fr": "Merci. Nous avons pris note et ne vous contacterons plus à ce sujet.",
        "es": "Gracias. Lo hemos anotado y no volveremos a contactarle por este asunto.",
        "en": "Thank you. We have noted it and will not contact you about this again.",
    },
    "plan_heading": {
        "fr": "Un échéancier à votre portée",
        "es": "Un plan a su medida",
        "en": "A plan you can afford",
    },
    "plan_intro": {
        "fr": "Choisissez une proposition, ou indiquez ce que vous pouvez payer par mois.",
        "es": "Elija una propuesta, o indique cuánto puede pagar al mes.",
        "en": "Pick a proposal, or tell us what you can pay each month.",
    },
    "plan_option": {
        "fr": "{count} mensualités de {amount} (total {total})",
        "es": "{count} cuotas mensuales de {amount} (total {total})",
        "en": "{count} monthly payments of {amount} (total {total})",
    },
    "monthly_amount": {
        "fr": "Ce que je peux payer par mois",
        "es": "Lo que puedo pagar al mes",
        "en": "What I can pay each month",
    },
    "amount_invalid": {
        "fr": "Indiquez un montant, par exemple 25,00.",
        "es": "Indique un importe, por ejemplo 25,00.",
        "en": "Enter an amount, for example 25.00.",
    },
    "amount_too_low": {
        "fr": "Le minimum est {minimum} par mois sur {months} mois au plus ; appelez-nous si "
        "c'est trop : nous chercherons une solution ensemble.",
        "es": "El mínimo es {minimum} al mes en {months} meses como máximo; si es demasiado, "
        "llámenos y buscaremos una solución juntos.",
        "en": "The minimum is {minimum} a month over at most {months} months; if that is too "
        "much, call us and we will look for a solution together.",
    },
    "option_required": {
        "fr": "Choisissez une option.",
        "es": "Elija una opción.",
        "en": "Choose an option.",
    },
    "accept_plan": {
        "fr": "Accepter cet échéancier",
        "es": "Aceptar este plan",
        "en": "Accept this plan",
    },
    "plan_agreed": {
        "fr": "Échéancier convenu. Première échéance le {date}.",
        "es": "Plan acordado. Primer pago el {date}.",
        "en": "Plan agreed. First payment on {date}.",
    },
    "plan_exists": {
        "fr": "Un échéancier est déjà en cours pour ce dossier.",
        "es": "Ya hay un plan en curso para este expediente.",
        "en": "A plan is already running for this file.",
    },
    "plan_paused": {
        "fr": "Ce dossier est contesté ou suspendu : aucun échéancier ne peut être proposé "
        "pour l'instant.",
        "es": "Este expediente está impugnado o suspendido: no se puede proponer un plan por "
        "ahora.",
        "en": "This file is disputed or paused: no plan can be offered for now.",
    },
    "instalment": {"fr": "Échéance", "es": "Cuota", "en": "Instalment"},
    "preferred_channel": {
        "fr": "Canal préféré",
        "es": "Canal preferido",
        "en": "Preferred channel",
    },
    "no_preference": {
        "fr": "Sans préférence",
        "es": "Sin preferencia",
        "en": "No preference",
    },
    "hours": {
        "fr": "Heures où nous pouvons vous joindre",
        "es": "Horas en las que podemos contactarle",
        "en": "Hours when we may contact you",
    },
    "hours_from": {"fr": "De (heure)", "es": "Desde (hora)", "en": "From (hour)"},
    "hours_to": {"fr": "À (heure)", "es": "Hasta (hora)", "en": "To (hour)"},
    "hours_invalid": {
        "fr": "Deux heures entre 0 et 24, la première avant la seconde.",
        "es": "Dos horas entre 0 y 24, la primera antes que la segunda.",
        "en": "Two hours between 0 and 24, the first before the second.",
    },
    "stop_channels": {
        "fr": "Ne plus me contacter par",
        "es": "No volver a contactarme por",
        "en": "Stop contacting me by",
    },
    "save": {"fr": "Enregistrer", "es": "Guardar", "en": "Save"},
    "saved": {
        "fr": "Préférences enregistrées.",
        "es": "Preferencias guardadas.",
        "en": "Preferences saved.",
    },
    "back": {"fr": "Retour", "es": "Volver", "en": "Back"},
    "verify_heading": {
        "fr": "Ce message vient-il vraiment de nous ?",
        "es": "¿Este mensaje es realmente nuestro?",
        "en": "Is this message really from us?",
    },
    "verify_intro": {
        "fr": "Chacun de nos messages porte un code de vérification. Saisissez-le pour savoir "
        "si nous l'avons envoyé. Nous ne vous demanderons jamais vos coordonnées bancaires "
        "par message.",
        "es": "Cada uno de nuestros mensajes lleva un código de verificación. Escríbalo para "
        "saber si lo hemos enviado. Nunca le pediremos sus datos bancarios por mensaje.",
        "en": "Each of our messages carries a verification code. Enter it to find out whether "
        "we sent it. We never ask for your card or bank details by message.",
    },
    "verification_code": {
        "fr": "Code de vérification",
        "es": "Código de verificación",
        "en": "Verification code",
    },
    "check": {"fr": "Vérifier", "es": "Comprobar", "en": "Check"},
    "verify_yes": {
        "fr": "Oui : nous avons envoyé ce message le {date} (UTC), par {channel}.",
        "es": "Sí: enviamos este mensaje el {date} (UTC), por {channel}.",
        "en": "Yes: we sent this message on {date} (UTC), by {channel}.",
    },
    "verify_no": {
        "fr": "Nous n'avons envoyé aucun message avec ce code. Ne répondez pas, ne payez rien, "
        "et signalez-le-nous.",
        "es": "No hemos enviado ningún mensaje con este código. No responda, no pague nada "
        "y avísenos.",
        "en": "We sent no message with this code. Do not reply, do not pay anything, and "
        "please tell us about it.",
    },
    "chat": {"fr": "Discuter avec nous", "es": "Chatear con nosotros", "en": "Chat with us"},
    "chat_intro": {
        "fr": "Un conseiller vous répond ici. Vos messages restent dans votre dossier.",
        "es": "Un asesor le responde aquí. Sus mensajes quedan en su expediente.",
        "en": "An adviser answers you here. Your messages stay on your file.",
    },
    "chat_message": {"fr": "Votre message", "es": "Su mensaje", "en": "Your message"},
    "chat_send": {"fr": "Envoyer", "es": "Enviar", "en": "Send"},
    "chat_log": {"fr": "Conversation", "es": "Conversación", "en": "Conversation"},
    "chat_needs_js": {
        "fr": "Le chat a besoin de JavaScript. Vous pouvez aussi nous appeler.",
        "es": "El chat necesita JavaScript. También puede llamarnos.",
        "en": "The chat needs JavaScript. You can also call us.",
    },
    "pay": {"fr": "Payer", "es": "Pagar", "en": "Pay"},
    "pay_heading": {"fr": "Payer en ligne", "es": "Pagar en línea", "en": "Pay online"},
    "pay_intro": {
        "fr": "Vous réglez sur la page sécurisée de notre prestataire de paiement ; nous ne "
        "voyons ni ne gardons jamais vos données de carte.",
        "es": "Paga en la página segura de nuestro proveedor de pagos; nunca vemos ni "
        "guardamos los datos de su tarjeta.",
        "en": "You pay on our payment provider's secure page; we never see or keep your card "
        "details.",
    },
    "pay_amount": {"fr": "Montant à payer", "es": "Importe a pagar", "en": "Amount to pay"},
    "pay_amount_invalid": {
        "fr": "Un montant supérieur à 0 et au plus égal au reste dû.",
        "es": "Un importe mayor que 0 y como máximo el saldo pendiente.",
        "en": "An amount above 0 and at most the balance.",
    },
    "pay_go": {
        "fr": "Continuer vers le paiement",
        "es": "Continuar al pago",
        "en": "Continue to payment",
    },
    "provider_heading": {
        "fr": "Prestataire de paiement (test local)",
        "es": "Proveedor de pagos (prueba local)",
        "en": "Payment provider (local test)",
    },
    "provider_confirm": {"fr": "Payer {amount}", "es": "Pagar {amount}", "en": "Pay {amount}"},
    "pay_done": {
        "fr": "Merci : paiement de {amount} reçu. Reste dû : {balance}.",
        "es": "Gracias: pago de {amount} recibido. Saldo pendiente: {balance}.",
        "en": "Thank you: payment of {amount} received. Balance now: {balance}.",
    },
    "pay_failed": {
        "fr": "Le paiement a été refusé. Aucun montant n'a été débité.",
        "es": "El pago ha sido rechazado. No se ha cargado ningún importe.",
        "en": "The payment was declined. Nothing was taken.",
    },
    "pay_pending": {
        "fr": "Le paiement est en cours de confirmation.",
        "es": "El pago se está confirmando.",
        "en": "The payment is being confirmed.",
    },
    "receipt": {
        "fr": "Télécharger le reçu (PDF)",
        "es": "Descargar el recibo (PDF)",
        "en": "Download the receipt (PDF)",
    },
    "budget_heading": {
        "fr": "Ou : calculons ensemble ce que vous pouvez payer",
        "es": "O bien: calculemos juntos lo que puede pagar",
        "en": "Or: let us work out together what you can pay",
    },
    "budget_intro": {
        "fr": "Montants mensuels. Nous ne les enregistrons pas : ils servent seulement à ce "
        "calcul.",
        "es": "Importes mensuales. No los guardamos: solo sirven para este cálculo.",
        "en": "Monthly amounts. We do not store them: they are only used for this calculation.",
    },
    "budget_income": {
        "fr": "Revenus",
        "es": "Ingresos",
        "en": "Income",
    },
    "budget_outgoings": {
        "fr": "Dépenses",
        "es": "Gastos",
        "en": "Outgoings",
    },
    "b_earnings": {
        "fr": "Salaires",
        "es": "Salarios",
        "en": "Earnings",
    },
    "b_benefits": {
        "fr": "Prestations sociales",
        "es": "Prestaciones sociales",
        "en": "Benefits",
    },
    "b_pensions": {
        "fr": "Pensions et retraites",
        "es": "Pensiones",
        "en": "Pensions",
    },
    "b_other_income": {
        "fr": "Autres revenus",
        "es": "Otros ingresos",
        "en": "Other income",
    },
    "b_home": {
        "fr": "Logement (loyer, crédit, charges)",
        "es": "Vivienda (alquiler, hipoteca, gastos)",
        "en": "Home and contents (rent, mortgage)",
    },
    "b_utilities": {
        "fr": "Énergie et eau",
        "es": "Suministros (luz, agua, gas)",
        "en": "Utilities",
    },
    "b_care_health": {
        "fr": "Santé et garde",
        "es": "Salud y cuidados",
        "en": "Care and health",
    },
    "b_transport": {
        "fr": "Transports",
        "es": "Transporte",
        "en": "Transport and travel",
    },
    "b_school": {
        "fr": "Frais de scolarité",
        "es": "Gastos escolares",
        "en": "School costs",
    },
    "b_insurance": {
        "fr": "Assurances",
        "es": "Seguros",
        "en": "Pensions and insurance",
    },
    "b_communications": {
        "fr": "Téléphone, internet, loisirs",
        "es": "Teléfono, internet, ocio",
        "en": "Communications and leisure",
    },
    "b_food": {
        "fr": "Alimentation et ménage",
        "es": "Alimentación y hogar",
        "en": "Food and housekeeping",
    },
    "b_personal": {
        "fr": "Dépenses personnelles",
        "es": "Gastos personales",
        "en": "Personal costs",
    },
    "b_other_costs": {
        "fr": "Autres dépenses",
        "es": "Otros gastos",
        "en": "Other costs",
    },
    "budget_compute": {
        "fr": "Calculer",
        "es": "Calcular",
        "en": "Work it out",
    },
    "budget_result": {
        "fr": "Il vous reste {amount} par mois.",
        "es": "Le quedan {amount} al mes.",
        "en": "You have {amount} left each month.",
    },
    "budget_none": {
        "fr": "Votre budget ne laisse rien pour un paiement aujourd'hui. Appelez-nous : nous "
        "pouvons suspendre le recouvrement le temps de trouver une solution (par exemple un "
        "répit).",
        "es": "Su presupuesto no deja nada para un pago hoy. Llámenos: podemos suspender el "
        "cobro mientras buscamos una solución.",
        "en": "Your budget leaves nothing for a payment today. Call us: we can pause "
        "collection while we find a solution (for example a breathing space).",
    },
    "not_found": {
        "fr": "Page introuvable.",
        "es": "Página no encontrada.",
        "en": "Page not found.",
    },
    "form_expired": {
        "fr": "Le formulaire a expiré. Rechargez la page et réessayez.",
        "es": "El formulario ha caducado. Recargue la página e inténtelo de nuevo.",
        "en": "The form has expired. Reload the page and try again.",
    },
}


def translate(key: str, lang: str, **values: object) -> str:
    """The message in ``lang`` (English when the language is unknown), with values filled."""
    text = MESSAGES[key].get(lang) or MESSAGES[key][DEFAULT_LANG]
    return text.format(**values) if values else text


def translator(lang: str) -> Callable[..., str]:
    """``t("key", name=...)`` for templates."""

    def _t(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    return _t


def pick_lang(*candidates: str | None, accept_language: str = "") -> str:
    """The first supported language among explicit choices, then the browser's list."""
    for c in candidates:
        if c and c[:2].lower() in LANGS:
            return c[:2].lower()
    for part in accept_language.split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGS:
            return code
    return DEFAULT_LANG
