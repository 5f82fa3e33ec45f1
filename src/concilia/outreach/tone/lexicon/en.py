# ruff: noqa: E501  (regex patterns read better unbroken)
"""English phrase rules (patterns run on folded text: lowercase, no accents, ' apostrophes).

Where the line is: a conditional, non-dated mention of what the *creditor may* lawfully do
("the creditor may consider its legal options") is not flagged. Arrest, prison, police or
criminal charges for a civil debt, enforcement stated as certain or imminent, violence or
intimidation are threats; legal or official steps stated as already taken are false claims.
"""

from __future__ import annotations

from typing import Final

from concilia.outreach.tone.lexicon import Rule

# Up to N words in between, never across punctuation (a comma often starts a new claim).
_GAP = r"(?:[^\w.!?;:,]+[\w'*]+){0,%d}?"
_FAMILY = (
    r"(?:mother|father|mum|mom|dad|parents|husband|wife|partner|spouse|son|daughter|children|"
    r"kids|brother|sister|family|relatives|grand(?:mother|father|parents))"
)
_WORK = r"(?:boss|manager|employer|colleagues?|co-?workers|supervisor|hr department)"
_OTHERS = r"(?:neighbou?rs|friends|landlord|flatmates?|roommates?)"
_PEOPLE = rf"(?:{_FAMILY}|{_WORK}|{_OTHERS})"
_WE_WILL = (
    r"\b(?:we(?: will|'ll| are going to|'re going to|'re gonna| are gonna| shall| are about to"
    r"|'re about to)|i(?: will|'ll| am going to|'m going to|'m gonna))"
)
_ASSETS = (
    r"(?:wages?|salary|pay|bank account|account|home|house|flat|car|vehicle|furniture|"
    r"belongings|assets|property|possessions|goods|benefits)"
)

RULES: Final[tuple[Rule, ...]] = (
    # --- threats -----------------------------------------------------------------------
    Rule("threat", r"\b(?:have|get|see) you (?:arrested|locked up|jailed|imprisoned)\b"),
    Rule(
        "threat",
        r"\byou(?: will|'ll| are going to|'re going to| could| may) be (?:arrested|jailed|imprisoned|locked up|prosecuted)\b",
    ),
    Rule("threat", r"\b(?:your|immediate) arrest\b"),
    Rule("threat", r"\b(?:arrest warrant|warrant for your arrest)\b"),
    Rule(
        "threat",
        r"\b(?:go|going|be sent|send you|put you|end up|land)(?: straight)? (?:to|in) (?:prison|jail)\b",
    ),
    Rule("threat", r"\b(?:prison|jail)(?: time| sentence)?\b"),
    Rule(
        "threat",
        r"\bpolice (?:will|are going to|is going to|may|could|might)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,5}",
    ),
    Rule("threat", r"\bpolice (?:will be |are )?(?:at|on|to) your (?:door|doorstep|house|home)\b"),
    Rule(
        "threat",
        r"\b(?:officers|police|agents) (?:will|may|might|could) (?:come|be coming) to arrest\b",
    ),
    Rule("threat", r"\bcriminal (?:charges?|complaint|record|proceedings|prosecution|case)\b"),
    Rule(
        "threat", r"\b(?:charge|report|prosecute)(?:d)? you (?:with|for) (?:fraud|theft|a crime)\b"
    ),
    Rule(
        "threat",
        _WE_WILL
        + r" (?:seize|repossess|garnish|freeze|confiscate|clamp)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,5}",
    ),
    Rule(
        "threat",
        _WE_WILL
        + r" (?:take|empty|block|sell)(?: away)? (?:your|all your|everything)"
        + _GAP % 1
        + r" ?(?:"
        + _ASSETS[3:-1]
        + r"|you own|you have)\b",
    ),
    Rule(
        "threat",
        r"\byour "
        + _ASSETS
        + _GAP % 2
        + r" (?:will|is going to|are going to|shall) be (?:garnished|seized|taken|frozen|repossessed|confiscated|emptied|sold)\b",
    ),
    Rule(
        "threat",
        r"\b(?:seize|repossess|garnish|freeze|confiscate) your "
        + _ASSETS
        + r"\b(?: (?:tomorrow|today|tonight|this week(?:end)?|next week|on \w+day))",
    ),
    Rule("threat", r"\byour " + _ASSETS + r" will be taken\b"),
    Rule(
        "threat",
        _WE_WILL
        + r" (?:sue you|take you to court|drag you (?:to|through|into) (?:court|the courts)|take (?:legal|court) action|start (?:legal|court) proceedings|file (?:a )?(?:lawsuit|claim|suit))\b",
    ),
    Rule(
        "threat",
        r"\btake you to court (?:tomorrow|today|tonight|this week|on \w+day|immediately|right away)\b",
    ),
    Rule(
        "threat",
        r"\b(?:you will|you'll) lose (?:your (?:house|home|job|car|children|kids)|everything)\b",
    ),
    Rule("threat", r"\b(?:take|taking) everything you own\b"),
    Rule("threat", r"\bwe know where you (?:live|work|sleep)\b"),
    Rule("threat", r"\byou(?:'ll| will) regret (?:this|it)\b"),
    Rule(
        "threat",
        r"\bmake your life (?:hell|a living hell|very difficult|difficult|miserable|impossible)\b",
    ),
    Rule(
        "threat",
        r"\bcome (?:to collect|to your (?:house|home|work|door)|round)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,3}?\W+in person\b",
    ),
    Rule(
        "threat",
        r"\b(?:our )?(?:agents|men|people|collectors|guys) will (?:come|be coming|visit|pay you a visit)\b",
    ),
    Rule("threat", _WE_WILL + r" (?:ruin|destroy|hurt|break|finish|crush) you\b"),
    Rule("threat", r"\bwatch your back\b"),
    Rule("threat", r"\bofficers? (?:may|might|could|will) come\b"),
    Rule(
        "threat",
        r"\b(?:we're|we are|we'll be|we will be) coming (?:for|after) (?:you|your)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,3}",
    ),
    Rule(
        "threat",
        _WE_WILL
        + r" send (?:some |a few |our )?(?:guys|men|people|lads|boys|someone|somebody)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}",
    ),
    Rule("threat", r"\b(?:report|reported|denounce) you to the police\b"),
    Rule("threat", r"\bu (?:will|'ll|gonna) be (?:arrested|jailed|locked up)\b"),
    # --- harassment --------------------------------------------------------------------
    Rule(
        "harassment",
        r"\b(?:call|calling|text|texting|message|messaging|contact|contacting|ring|ringing|email|emailing)"
        + _GAP % 2
        + r" (?:every|each) (?:single )?(?:hour|minute|day|night|morning|evening)\b",
        strong=True,
    ),
    Rule("harassment", r"\bday and night\b", strong=True),
    Rule(
        "harassment",
        r"\b(?:keep|continue|won't stop|will not stop|never stop|not stop) (?:calling|texting|messaging|contacting|ringing|emailing|writing)\b",
        negatable=False,
    ),
    Rule("harassment", r"\bwe will not stop contacting you\b", negatable=False),
    Rule(
        "harassment",
        r"\b(?:we have|but we have|we've got) (?:other|others|more) (?:numbers|phones)?\b",
        strong=True,
    ),
    Rule(
        "harassment",
        r"\b\d+(?:st|nd|rd|th) (?:call|message|text|attempt) (?:today|this week|this morning)\b",
    ),
    Rule("harassment", r"\b(?:several|many|multiple|\d+) times (?:a|every|per|each) day\b"),
    Rule("harassment", r"\bas many times as (?:it takes|necessary|needed|we want)\b"),
    Rule("harassment", r"\b(?:calls|messages|texts) all (?:weekend|night|day)(?: long)?\b"),
    Rule(
        "harassment",
        r"\b(?:opt-?out|stop|unsubscribe)(?: request)? (?:will be|is being|has been) ignored\b",
        strong=True,
    ),
    Rule("harassment", r"\b(?:on|across|through) every (?:platform|social network|channel|app)\b"),
    Rule("harassment", r"\b([a-z]+(?: [a-z]+){0,3})[.!]+ \1[.!]+ \1\b", strong=True),
    Rule("harassment", r"\byou can(?:not|'t) (?:hide|ignore us) forever\b", negatable=False),
    # --- insults and profanity ---------------------------------------------------------
    Rule(
        "insult",
        r"\b(?:idiot|idiots|moron|morons|imbecile|stupid|loser|losers|deadbeats?|scroungers?|parasites?|freeloaders?|leech(?:es)?|lowlifes?|scum|bastards?|bitch|assholes?|arseholes?|dickheads?|crooks?|thief|thieves|liars?|cheats?|clowns?|cowards?)\b",
    ),
    Rule("insult", r"\b(?:pathetic|worthless|useless|disgusting|disgrace(?:ful)?)\b"),
    Rule("insult", r"\bf[u*@#]+c?k(?:ing|in|er|ers)?\b|\bf\*+\b|\bsh[i*!1]+t\b|\bcrap\b|\bdamn\b"),
    Rule("insult", r"\bshame on you\b"),
    Rule("insult", r"\bwhat kind of (?:idiot|person|fool)\b"),
    Rule("insult", r"\byou people\b"),
    # --- public shaming ----------------------------------------------------------------
    Rule(
        "public_shaming",
        r"\b(?:public |online )?(?:list|register|wall|page) of (?:debtors|late payers|bad payers|defaulters|deadbeats)\b",
    ),
    Rule(
        "public_shaming", r"\b(?:late payers|bad payers|debtors|defaulters)(?: list| page| wall)\b"
    ),
    Rule(
        "public_shaming",
        r"\b(?:post|publish|share|display|advertise|put|expose)(?:ed|ing|s)?"
        + _GAP % 4
        + r" (?:online|on (?:the )?(?:internet|web|facebook|instagram|twitter|tiktok|linkedin|social media|our website)|publicly|in public|for everyone to see|with your (?:social media )?followers)\b",
    ),
    Rule(
        "public_shaming",
        r"\b(?:everyone|everybody|all your (?:friends|followers|family|colleagues|neighbou?rs|contacts)|your (?:whole|entire) (?:street|neighbou?rhood|family|town|village|office|community)|everyone on your \w+)\b"
        + _GAP % 3
        + r" (?:will )?(?:know|knows|hear|find out|see|learn)\b",
    ),
    Rule(
        "public_shaming",
        r"\b(?:tell|inform|notify|warn|alert)(?:ed|ing)? (?:all )?your (?:neighbou?rs|friends|followers|community|church|contacts|friends and family)\b",
    ),
    Rule(
        "public_shaming",
        r"\b(?:comment|tag)(?:ed|ing)? (?:on )?(?:you|your)(?: in)?(?: a| an| your)? (?:public )?(?:posts?|photos?|pictures?|stories)\b",
    ),
    Rule(
        "public_shaming",
        r"\bwhat your (?:colleagues|neighbou?rs|friends|family|children|kids) (?:will )?(?:think|say)\b",
    ),
    Rule("public_shaming", r"\bwill hear about (?:this|your) (?:debt|situation|bill)\b"),
    Rule("public_shaming", r"\bsoon your (?:whole|entire)\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,4}"),
    Rule(
        "public_shaming",
        r"\bname will (?:appear|be listed|be published|be shown) on\b(?:[^.!?,;:\w]{1,3}[\w'-]+){0,5}",
    ),
    Rule(
        "public_shaming",
        r"\b(?:poster|sign|notice|flyer|leaflet)s? (?:with|bearing|showing|naming) your name\b",
    ),
    # --- false urgency -----------------------------------------------------------------
    Rule("false_urgency", r"\b(?:final|last) (?:notice|warning|chance|reminder|opportunity)\b"),
    Rule("false_urgency", r"\babsolute(?:ly)? (?:final|last)\b"),
    Rule(
        "false_urgency",
        r"\bwithin (?:the next )?(?:\d+|one|two|three|an) (?:minutes?|hours?)\b",
        strong=True,
    ),
    Rule(
        "false_urgency",
        r"\b(?:only |just )?(?:\d+|one|an|two) (?:minutes?|hours?) (?:left|to pay|remaining)\b",
        strong=True,
    ),
    Rule("false_urgency", r"\b(?:in|within) the next hour\b", strong=True),
    Rule("false_urgency", r"\bin \d+ minutes\b", strong=True),
    Rule("false_urgency", r"\buntil midnight\b"),
    Rule("false_urgency", r"\burgent\b"),
    Rule(
        "false_urgency",
        r"\bimmediate (?:payment|action|response) (?:is )?(?:required|needed|demanded|expected)\b",
    ),
    Rule("false_urgency", r"\bact (?:now|immediately|today)\b"),
    Rule(
        "false_urgency", r"\bnothing (?:else |more )?(?:we can do|can be done)\b", negatable=False
    ),
    Rule(
        "false_urgency", r"\bno (?:further|more) (?:reminders|warnings|notices)\b", negatable=False
    ),
    Rule("false_urgency", r"\b(?:closed|deleted|cancelled) permanently\b"),
    Rule("false_urgency", r"\bstarts? automatically\b|\bwill start automatically\b"),
    Rule("false_urgency", r"\bserious consequences\b"),
    Rule("false_urgency", r"\b(?:disappears|gone|lost) forever\b"),
    Rule("false_urgency", r"\bcan do nothing (?:more )?for you\b", negatable=False),
    # --- false legal or official claims ------------------------------------------------
    Rule(
        "false_legal_claim",
        r"\b(?:we have|we've|i have|i've) (?:already )?(?:notified|informed|alerted|contacted|written to|told) your (?:employer|bank|hr department|payroll)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\byour (?:employer|bank|payroll department) (?:has|have) (?:already )?been (?:notified|informed|alerted|contacted|told)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:bailiffs?|sheriffs?|enforcement (?:agents?|officers?)|marshals?|process servers?)\b"
        + _GAP % 4
        + r" (?:will|is going to|are going to|has been|have been|is|are|was) (?:visit|come|call|scheduled|instructed|assigned|sent|booked|coming|on (?:his|her|their|the) way|due)\w*",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:official|formal) (?:notice|letter|document|summons|warning) (?:from|of|issued by) (?:the )?(?:court|tribunal|government|police|state)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:has|have|carries) the (?:force|value|weight) of a (?:court order|judgment|judgement|warrant)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:a |the )?(?:judgment|judgement|court order|ccj|warrant) (?:has been|was|have been) (?:issued|entered|made|granted|obtained|registered) against you\b",
    ),
    Rule(
        "false_legal_claim",
        r"\bthe (?:court|judge|magistrate)s? (?:has|have) (?:already )?(?:approved|authori[sz]ed|ordered|granted|ruled)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:legal proceedings|court proceedings|court action|a lawsuit|a claim|proceedings|a case) (?:has|have) (?:already )?been (?:filed|issued|started|initiated|lodged|opened)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:court )?hearing (?:is|has been) (?:set|scheduled|fixed|listed|booked)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:sent|passed|forwarded|referred|reported|handed)(?: over)? (?:your (?:file|case|details) )?to the (?:police|fbi|fraud squad|authorities)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:working|cooperating|collaborating) with the (?:local )?(?:police|authorities|court)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:on behalf of|for) the (?:government|state|irs|hmrc|tax office|court|treasury|department of justice)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:as your|we are your) (?:lawyers|attorneys|solicitors|legal representatives)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:registered|listed|entered|put|placed)(?: your name)? (?:in|on) (?:the|a) (?:national )?(?:debtors'?|debtor|defaulters'?|bad payers'?) (?:register|registry|list|file|database)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\bcredit (?:record|file|score|rating) has been (?:permanently )?(?:destroyed|ruined|blacklisted|wiped out)\b",
    ),
    Rule("false_legal_claim", r"\b(?:you have been|you are now|you're now) blacklisted\b"),
    Rule(
        "false_legal_claim",
        r"\b(?:your case|your file|your account) is (?:now )?with (?:our|the) (?:legal department|lawyers|court)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\bthis (?:letter|message|notice) is (?:a|an) (?:court|official court|legal) (?:order|summons|document)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:formal |official )?court summons\b|\b(?:formal|official) summons\b",
    ),
    Rule("false_legal_claim", r"\bby (?:a )?(?:court|judge'?s?) (?:order|decision|ruling)\b"),
    Rule(
        "false_legal_claim",
        r"\b(?:bailiffs?|enforcement (?:agents?|officers?)|sheriffs?)\b"
        + _GAP % 2
        + r" (?:have|has) been (?:authori[sz]ed|empowered|cleared|ordered)\b",
    ),
    Rule(
        "false_legal_claim",
        r"\b(?:hmrc|the irs|the tax office|the police|the authorities|social services|the dvla|the court|the fraud squad) (?:has|have) (?:already )?been (?:informed|notified|told|alerted|contacted)\b",
    ),
    # --- pressure on third parties -----------------------------------------------------
    Rule(
        "third_party_pressure",
        r"\b(?:called|contacted|phoned|rang|visited|texted|messaged|emailed|spoke(?:n)? (?:to|with)|speaking (?:to|with)|talked (?:to|with)|left a message (?:with|for)|asked)"
        + _GAP % 2
        + r" your "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:told|informed|notified|warned)"
        + _GAP % 1
        + r" your "
        + rf"(?:{_FAMILY}|colleagues|co-?workers|friends)"
        + r"\b",
    ),
    Rule("third_party_pressure", r"\btell your " + _FAMILY + r" to (?:pay|cover|settle|help)\b"),
    Rule(
        "third_party_pressure",
        r"\byour "
        + _FAMILY
        + r" (?:should|must|has to|have to|will have to|needs? to|ought to) (?:pay|cover|settle|help)\b",
    ),
    Rule(
        "third_party_pressure",
        r"\byour "
        + rf"(?:{_FAMILY}|colleagues|co-?workers|friends|neighbou?rs|manager|boss)"
        + r" (?:has|have) been (?:told|informed|notified|contacted|asked|called)\b",
    ),
    Rule(
        "third_party_pressure",
        r"(?:"
        + _WE_WILL
        + r"|\bwe will have to) (?:contact|call|ask|ring|visit|text|message|email|speak to|talk to)"
        + _GAP % 2
        + r" your "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:tell|remind|let) (?:him|her|them) (?:know )?(?:that )?(?:he|she|they) (?:owes?|must pay|has a debt)\b",
    ),
    Rule("third_party_pressure", r"\bpass on the message\b"),
    Rule(
        "third_party_pressure",
        r"\bcopy of (?:this|the|our) (?:letter|message|email|notice|demand) to your "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:ask|get|have|make) your "
        + _FAMILY
        + r" (?:to )?(?:call|contact|pay|settle|ring|help|cover)\b",
    ),
    Rule(
        "third_party_pressure", r"\b(?:been|got|get|getting) in touch with your " + _PEOPLE + r"\b"
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:discuss|discussed|discussing|raise|raised|mention|mentioned) (?:your|the) (?:situation|debt|balance|arrears) with your "
        + _PEOPLE
        + r"\b",
    ),
    Rule(
        "third_party_pressure",
        r"\b(?:discuss|talk about)\w* (?:your|the|this) (?:debt|account|case|file) with your "
        + _PEOPLE
        + r"\b",
    ),
    Rule("third_party_pressure", r"\buntil (?:one of them|they) (?:convinces?|makes?|gets?) you\b"),
)
