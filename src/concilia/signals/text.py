"""Social-media text normalisation shared by the classifier, the keyword baseline and the guard.

Posts are short and noisy: hashtags glue words together, emoji carry meaning, accents are
dropped at random and negation changes everything. Normalising once, the same way for
training and prediction, keeps the model and the rules consistent.
"""

from __future__ import annotations

import re
import unicodedata

# Emoji that carry an event meaning become words, so that both the n-gram model and the
# rules see them; the rest of the emoji are dropped.
EMOJI_WORDS: dict[str, str] = {
    "🏡": "emojihouse",
    "🏠": "emojihouse",
    "🔑": "emojikey",
    "🚗": "emojicar",
    "🚙": "emojicar",
    "🏍": "emojimoto",
    "🛵": "emojimoto",
    "🚐": "emojivan",
    "✈": "emojiplane",
    "🌴": "emojipalm",
    "🏖": "emojibeach",
    "👶": "emojibaby",
    "🤰": "emojipregnant",
    "🍼": "emojibaby",
    "🕊": "emojidove",
    "💔": "emojibroken",
    "🎗": "emojiribbon",
    "💍": "emojiring",
    "⌚": "emojiwatch",
    "👜": "emojibag",
    "🕯": "emojicandle",
    "📦": "emojiboxes",
    "💼": "emojibusiness",
    "🎉": "emojiparty",
    "🍾": "emojiparty",
    "🥂": "emojiparty",
    "😭": "emojicry",
    "😢": "emojicry",
    "😔": "emojisad",
    "🙃": "emojiirony",
    "🙄": "emojiirony",
    "😏": "emojiirony",
    "🤣": "emojilaugh",
    "😂": "emojilaugh",
    "💊": "emojihealth",
    "🏥": "emojihealth",
    "🩺": "emojihealth",
    "🩼": "emojihealth",
    "♿": "emojihealth",
    "⚰": "emojifuneral",
    "🪦": "emojifuneral",
    "💸": "emojimoneyout",
    "💰": "emojimoney",
    "💶": "emojimoney",
    "💵": "emojimoney",
    "⛵": "emojiboat",
    "🛥": "emojiboat",
    "🚤": "emojiboat",
    "🎓": "emojigrad",
}

# Markers of irony or joking: they often flip the literal reading ("Génial, viré 🙃")
# or reveal that the post is not about the author's own life.
IRONY_MARKERS = frozenset(
    {
        "emojiirony",
        "emojilaugh",
        "ironie",
        "ironia",
        "irony",
        "sarcasme",
        "sarcasmo",
        "sarcasm",
        "lol",
        "mdr",
        "ptdr",
        "jaja",
        "jajaja",
        "jeje",
        "lmao",
        "jk",
    }
)

# Negation cues per language; a cue opens a scope that closes at punctuation or after a
# few tokens. "plus" alone is not a cue in French ("plus de taf" means the job is gone).
NEGATION_CUES: dict[str, frozenset[str]] = {
    # "ne"/"n" open the scope too: in "je ne quitte pas Lyon" the verb sits before "pas".
    "fr": frozenset(
        {"ne", "n", "pas", "jamais", "aucun", "aucune", "ni", "non", "sans", "rien", "personne"}
    ),
    "es": frozenset(
        {"no", "nunca", "jamas", "ni", "ningun", "ninguna", "ninguno", "sin", "nada", "nadie"}
    ),
    "en": frozenset(
        {
            "not",
            "no",
            "never",
            "nor",
            "without",
            "isnt",
            "wasnt",
            "didnt",
            "dont",
            "doesnt",
            "havent",
            "hasnt",
            "wont",
            "arent",
            "werent",
            "aint",
            "nt",
            "nobody",
            "noone",
            "neither",
        }
    ),
}
NEGATION_WINDOW = 4
NEG_PREFIX = "neg_"

_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_TOKEN = re.compile(r"[a-z0-9_]+|[.!?;,:…]")
_REPEAT = re.compile(r"(\w)\1{2,}")
_SCOPE_END = frozenset(".!?;,:…")
_ELISION = re.compile(r"\b([a-z])'")


def strip_accents(text: str) -> str:
    """Remove diacritics: posts drop accents at random, so the model should not rely on them."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_EMOJI_RE = re.compile("|".join(re.escape(e) for e in EMOJI_WORDS))
# Everything that is not a letter, digit, space or sentence punctuation (emoji, symbols,
# joiners, variation selectors) becomes a space.
_SYMBOLS = re.compile(r"[^\w\s'’.!?;,:…#@-]")


def _emoji_to_words(text: str) -> str:
    text = _EMOJI_RE.sub(lambda m: f" {EMOJI_WORDS[m.group(0)]} ", text)
    return _SYMBOLS.sub(" ", text)


def _split_hashtag(match: re.Match[str]) -> str:
    tag = match.group(1)
    spaced = _CAMEL.sub(" ", tag)
    # Keep the glued form too: "#nouveautaf" is a signal in itself.
    return f" {spaced} {tag} " if spaced != tag else f" {tag} "


def normalise(text: str) -> str:
    """Lowercase, accent-free text with hashtags split, emoji named, URLs and @handles removed."""
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _HASHTAG.sub(_split_hashtag, text)
    text = _emoji_to_words(text)
    text = strip_accents(text.lower())
    text = text.replace("’", "'").replace("n't", " nt").replace("no one", "noone")
    text = _ELISION.sub(r"\1 ", text)
    text = _REPEAT.sub(r"\1\1", text)
    return text


def tokens(text: str) -> list[str]:
    """Word and punctuation tokens of normalised text."""
    return _TOKEN.findall(text)


def mark_negation(toks: list[str], lang: str) -> list[str]:
    """Prefix the tokens inside a negation scope with ``neg_`` (scope: up to punctuation)."""
    cues = NEGATION_CUES.get(lang, frozenset())
    out: list[str] = []
    left = 0
    for tok in toks:
        if tok in _SCOPE_END:
            left = 0
            out.append(tok)
            continue
        if tok in cues:
            left = NEGATION_WINDOW
            out.append(tok)
            continue
        if left > 0:
            out.append(NEG_PREFIX + tok)
            left -= 1
        else:
            out.append(tok)
    return out


def model_text(text: str, lang: str) -> str:
    """The string the classifier sees: normalised, negation-marked, punctuation dropped."""
    marked = mark_negation(tokens(normalise(text)), lang)
    return " ".join(t for t in marked if t not in _SCOPE_END)


def irony_markers(toks: list[str]) -> list[str]:
    """Irony or joke markers present in the tokens, in order of appearance."""
    return [t for t in toks if t in IRONY_MARKERS]
