"""What makes a sentence speak to the machine reading a page rather than to its readers.

Each detector looks for one trait that attacks share whatever their wording, not for
the words of known attacks:

* **addressing the machine**: it names its reader as an AI, assistant, summariser,
  model, bot or automated system, as a vocative ("Dear assistant", "To any automated
  summariser:"), a condition ("If you are an AI"), or a reader ("bots reading this");
* **orders about the output**: it tells its reader what the summary, headline, gist,
  key points, timeline or events must say, or what to reply and in what form;
* **claims about the article itself**: its publication date, its "accurate summary",
  what every event of "this article" is dated;
* **role play**: a persona given to the reader ("pretend you are", "stay in character");
* **control register**: capitalised system notices ("SYSTEM OVERRIDE:"), bracketed admin
  labels, tool-call syntax and markup tags in running text;
* **encoded text**: base64, hex, URL or Unicode escapes, binary, Morse, rot13, reversed,
  spaced-out or leetspeak text, which news does not print.

A detector answers with a reason or None; ``weak`` traits (an imperative opening, a
second-person pronoun, a planted-looking date) decide nothing alone and only extend a
message that a detector found (see ``summarizer.guard.screen``).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import urllib.parse
from functools import lru_cache

from .prefilter import Prefiltered

_I = re.IGNORECASE

# --- who the reader is ---

# names that can only mean a machine reader
_MACHINE = (
    r"(?:a\.?i\.?|artificial intelligence|(?:ai |virtual |digital )?assistants?|chat ?bots?|bots?"
    r"|(?:large )?language models?|llms?|gpt(?:-?\d)?|chatgpt|claude|gemini"
    r"|summari[sz](?:er|ers)|summari[sz](?:ation|ing) (?:tools?|engines?|models?|systems?|software|programs?)"
    r"|summary (?:tools?|bots?|engines?|generators?)|(?:news )?digest(?:er)?s? (?:tools?|bots?)"
    r"|automated (?:\w+ )?(?:readers?|systems?|tools?|agents?|summari[sz]ers?|digests?|services?|programs?|software)"
    r"|machine (?:readers?|summari[sz]ers?)|neural (?:networks?|nets?)|copilot|context window"
    r"|summari[sz]ing (?:programs?|bots?)|ai (?:agents?|tools?|systems?|models?|readers?|summar(?:ies|y)|crawlers?)"
    r"|crawlers?|(?:ai |llm )?agents? reading|nlp (?:systems?|tools?|models?)"
    r"|(?:the )?(?:model|system|software|tool|program|engine|agent)s? (?:reading|processing|parsing|summari[sz]ing|analy[sz]ing|ingesting) (?:this|the (?:page|text|article|document))"
    r")"
)
# a weaker name: a machine only when addressed ("Dear model", "the model reading this")
_MACHINE_LOOSE = (
    r"(?:" + _MACHINE + r"|models?|systems?|software|tools?|engines?|programs?|agents?)"
)

_ADDRESS = re.compile(
    # a vocative or a dedication at the start: "Dear AI", "Hello, language model!", "Attention, bot."
    r"^\W{0,4}(?:dear|hello|hi|hey|greetings|attention|attn|listen(?: up)?|psst|ok|okay)\b[\s,:!-]+"
    r"(?:[\w-]+ ){0,3}?" + _MACHINE_LOOSE + r"\b"
    # "Note to any automated summariser", "A friendly request to the bot", "Message for the AI"
    r"|\b(?:notes?|messages?|requests?|reminders?|instructions?|notices?|words?|directives?|memo|"
    r"warnings?|alerts?|hints?|tips?)\b[^.:]{0,40}?\b(?:to|for|aimed at|addressed to|intended for|meant for)"
    r"\s+(?:the |any |all |every |each |whatever |whoever |our |you, )?(?:[\w-]+ ){0,3}?"
    + _MACHINE
    + r"\b"
    # "To the summarization engine:", "For AI readers:", "Machine reader, listen"
    r"|^\W{0,4}(?:to|for)\s+(?:the |any |all |every |each )?(?:[\w-]+ ){0,3}?"
    + _MACHINE_LOOSE
    + r"\s*[:,;-]"
    r"|^\W{0,4}(?:dear |hey |hi |hello |you, |oh )?(?:ai |automated |virtual |machine |language |digital |"
    r"summari[sz](?:ation|ing) )?" + _MACHINE_LOOSE + r"\s*[,:!]\s+(?!said\b|says\b)"
    # the machine as the one obliged: "automated tools should record", "summarising tools are asked to"
    r"|\b"
    + _MACHINE
    + r"\s+(?:should|must|shall|are to|is to|need to|needs to|have to|has to|will|"
    r"(?:are|is) (?:\w+ )?(?:asked|requested|instructed|told|required|expected|invited) to)\s+(?:not |only |also |always |never )?"
    r"(?:record|report|say|state|list|write|mention|describe|treat|use|include|omit|ignore|disregard|note|"
    r"summari[sz]e|output|return|respond|reply|answer|date|call|present|refer|rate|credit|attribute|tell|"
    r"give|consider|replace|remember|add|leave|skip|keep|quote|cite|flag|mark|print|repeat|send|reveal|forget)\b"
    # "If you are an AI", "Are you a language model?", "Should you be a bot"
    r"|\b(?:if|when|in case|should|whether)\s+(?:you\s+are|you're|you\s+be|you)\s+(?:an?\s+|the\s+)?(?:[\w-]+ ){0,2}?"
    + _MACHINE_LOOSE
    + r"\b"
    r"|^\W{0,4}are you (?:an?\s+|the\s+)?(?:[\w-]+ )?" + _MACHINE_LOOSE + r"\b"
    # "any chatbot asked about", "automated systems reading this page", "readers that are models"
    r"|\b(?:any|every|all|each|whatever|the)\s+(?:[\w-]+ ){0,2}?"
    + _MACHINE
    + r"\s+(?:that is |which is |who is )?"
    r"(?:reading|processing|parsing|summari[sz]ing|condensing|generating|quoting|indexing|asked|"
    r"tasked|analy[sz]ing|writing|producing|listing)\b"
    r"|\b"
    + _MACHINE_LOOSE
    + r"s?\s+(?:reading|processing|parsing|summari[sz]ing|ingesting) (?:this|these)\b"
    r"|\breaders? (?:that|who|which) (?:are|is) (?:an? )?(?:[\w-]+ )?" + _MACHINE + r"\b"
    r"|\b(?:for|to) (?:the |any )?" + _MACHINE + r" only\b"
    r"|\b(?:instructions?|directions?|orders?|notes?|messages?) (?:to|for) (?:the |any )?"
    + _MACHINE_LOOSE
    + r"\s*:"
    r"|\(\s*(?:for|to) (?:the |any |all )?(?:[\w-]+ )?" + _MACHINE + r"[^()]{0,20}\)"
    r"|\bthis (?:one|part|paragraph|line|sentence|section|bit) is (?:meant |intended )?(?:only )?for (?:the |any )?(?:[\w-]+ )?"
    + _MACHINE_LOOSE
    + r"\b"
    r"|\b(?:meant|intended|written) (?:only )?for (?:the |any |all )?(?:[\w-]+ ){0,2}?"
    + _MACHINE
    + r"\b"
    r"|\bonly (?:the |an? )?(?:[\w-]+ )?" + _MACHINE + r" needs? to know\b"
    r"|\bto (?:whoever|whatever) (?:or (?:whoever|whatever) )?is (?:summari[sz]ing|reading|processing)\b"
    r"|\bas an? (?:ai|language model|ai assistant)\b"
    # a machine addressed between commas: "Thank you, virtual assistant, for ..."
    r"|,\s+(?:dear |my |our )?(?:virtual |digital |ai )?(?:assistant|chatbot|bot|language model|summari[sz]er)\s*,",
    _I,
)

# --- what the output must be ---

_OUT = (
    r"(?:summar(?:y|ies)|headlines?|gists?|key[ -]?points?|timelines?|digests?|abstracts?"
    r"|tl;?dr|synopsis|event list|list of events)"
)
_THIS = (
    r"(?:(?:this|the present|the above|the following|the current) (?:article|page|story|report|text|document|piece|post|item|news|site|web ?page|paragraph|faq)"
    r"|the (?:article|page|story|report|text|document) (?:you are reading|below|above|you are summari[sz]ing))"
)
_DIRECTIVE = re.compile(
    # "the summary should say", "summaries of this page must omit", "the headline must read"
    r"\b"
    + _OUT
    + r"\b[^.;:\"“]{0,50}?\b(?:must|should|shall|has to|have to|needs? to|is to|are to|"
    r"may only|may not|can only|cannot|must not|is required to|are required to|ought to)\b"
    # "your summary", "the summary you write", "in your timeline"
    r"|\byour (?:summar(?:y|ies)|headlines?|gists?|key[ -]?points?|timelines?|digests?|output|"
    r"abstract|instructions|guidelines|system prompt|prompt|configuration|training data)\b"
    r"|\b(?:the |any |every |your )?(?:response|reply|answer|output|summary|headline)s? (?:to|for|of|about) "
    + _THIS
    + r"\b"
    r"[^.;]{0,40}?\b(?:must|should|shall|has to|needs? to|is to|may only|can only|will be|is|must not)\b"
    r"|\b(?:summar(?:y|ies)|headlines?|gists?|key points|timelines?|output|answer|reply|response)\s+"
    r"(?:that )?you (?:write|produce|give|generate|make|create|output|return|prepare)\b"
    # "when you write the headline", "when summarising this", "if user asks for a summary"
    r"|\bwhen (?:you )?(?:are )?(?:summari[sz]|condens|digest|writ|list|extract|answer|generat|produc|quot)\w*\b[^.]{0,40}\b(?:this|the headline|the summary|the events|the timeline|the key points)\b"
    # "if user asks for a summary": an order only when what is asked for is the output or this text
    r"|\b(?:if|when|whenever|should|in case)\s+(?:the |a |any )?(?:user|anyone|someone|somebody|a reader|the reader|you are|you're)\s+(?:asks?|requests?|wants?|is asked|are asked|asked)\b"
    r"[^.]{0,40}?\b(?:summar|headline|gist|digest|tl;?dr|key points|timeline|overview|recap|(?:this|the) (?:article|page|story|text|report|document))"
    r"|\b(?:upon|on|for|in case of|with) (?:any|a|each|every) (?:request|question|query|prompt)\b[^.]{0,30}\b(?:summar|headline|this|article|page)"
    r"|\bin case of an? (?:summari[sz]ation|summary) request\b"
    r"|\bwhatever the (?:question|request|prompt|task)\b"
    # "reply with only", "output exactly", "respond in JSON", "say the following and stop"
    r"|(?:^\W{0,4}|\b(?:please|just|simply|then|and|must|should|you|will|shall)\s+|[,:;]\s*)"
    r"(?:reply|respond|answer|output|print|return|say|write|give|type|repeat|produce)\b(?:\s+[\w'-]+){0,4}?\s+"
    r"(?:with\s+just|(?:with\s+|in\s+)?(?:only|solely|exactly|verbatim|nothing (?:else|more)|no other (?:words?|text)|word for word|in json|as json|in capitals))\b"
    r"|\band no other words\b|\b(?:say|reply) [^.]{0,40} and stop\b"
    r"|\b(?:respond|reply|answer)\s+(?:in|with)\s+(?:json|xml|yaml|markdown|a haiku|a poem|capital)"
    r"|\bformat (?:your|the) (?:reply|answer|response|output|summary)\b"
    r"|\bthe (?:only|single) (?:events?|dates?|facts?|points?|names?) (?:to (?:list|report|include|mention|name|record|date)|it should|you should|worth|that should|that must)\b"
    r"|\bthe (?:first|last|main) (?:events?|dates?|facts?|points?) (?:it should|you should|that should|that must|to (?:list|report|include|mention|name|record))\b"
    r"|\b(?:list|report|mention|include|name|record|add|extract|date) only (?:one|the|a single)\b"
    r"|\bwhen listing events\b|\bevents? (?:extracted|listed|taken) from " + _THIS + r"\b"
    r"|\b(?:every|each|all|no) (?:key point|headline|summary|event|date)s?\b[^.]{0,20}\b(?:you|must|should|may)\b"
    r"|\bno " + _OUT + r" of " + _THIS + r"\b"
    r"|\b" + _OUT + r" of " + _THIS + r"[^.:]{0,30}[:=]"
    r"|\b(?:use|give|set|make|write|output)\b[^.]{0,30}\bas the (?:headline|title|summary|gist|date|answer)\b"
    r"|\b(?:only|just) (?:the )?(?:last|first) paragraph of " + _THIS + r" should\b",
    _I,
)
# a courteous or plain request whose object is the summary, the article or its reader
_REQUEST = re.compile(
    r"\b(?:please|kindly|be a dear and|would you|could you|we (?:kindly |politely )?ask|(?:is|are) "
    r"(?:politely |kindly )?asked to|remember to|make sure (?:to|you)|we would be grateful if you|"
    r"it would be appreciated if)\b",
    _I,
)
_REQUEST_OBJECT = re.compile(
    r"\b(?:" + _OUT[3:-1] + r"|output|key points|timeline|your (?:answer|reply|response))\b",
    _I,
)

# --- what it claims about the article ---

_ARTICLE = r"(?:article|page|story|report|document|piece|post|text|item|web ?page|dispatch|release)"
_META = re.compile(
    r"\b(?:publication|publishing|posting|creation|release|issue|writing) date (?:of|for) (?:this|the present) "
    + _ARTICLE
    + r"|\bthe date (?:this|the present) "
    + _ARTICLE
    + r" was (?:written|published|posted|created)\b"
    + r"|\b(?:this|the present) "
    + _ARTICLE
    + r"(?:'s)? (?:was|is|has been) (?:(?:first|last|originally|really|actually|in fact) )?"
    r"(?:published|dated|written|posted|updated|created|reclassified|retracted|fabricated|fake|false|a hoax|"
    r"satire|sponsored)\b(?! (?:in|by) (?:the )?[A-Z]| for\b| as (?:an?|part)\b)"
    + r"|\b(?:this|the present) "
    + _ARTICLE
    + r" is dated\b"
    + r"|\b(?:accurate|correct|true|real|official|proper|actual|only valid|valid|genuine|right) "
    r"(?:summary|summaries|headline|gist|publication date|dateline|subject|timeline|title|main point|key fact|date)"
    r"\b(?: (?:of|for) "
    + _THIS
    + r")?\s*(?:is|are|was|:|=|reads)"
    + r"|\b(?:the |an? )?(?:summary|headline|gist|timeline|main point|key fact|true subject|real date|date|"
    r"dateline|subject) of "
    + _THIS
    + r"\s*(?:is|are|was|:|=|begins|starts|should|must|reads)\b"
    + r"|\b(?:every|each|all(?: the)?) (?:events?|dates?|incidents?|figures?)(?: \w+){0,2} (?:in|of|from|described in|reported in|"
    r"mentioned in) (?:this|the present) "
    + _ARTICLE
    + r"\b"
    + r"|\b(?:every|each|all(?: the)?) (?:events?|dates?) (?:in|of) (?:it|the story|the report)\b[^.]{0,30}\b(?:happened|took place|occurred|are|is|refer)"
    + r"|\bthe events (?:reported|described|in this) (?:here |above )?(?:all )?(?:happened|took place|occurred)\b"
    + r"|\bthe events of "
    + _THIS
    + r"\b"
    + r"|^(?:<!--)?\W{0,4}(?:article |document |page |story )?(?:metadata|dateline|date ?line|document date|"
    r"structured data|publication date|datePublished|date override|date-override|dateline override)\b"
    r"\s*(?:override)?(?: (?:for|to) [^.:]{0,30})?\s*[:=]"
    + r"|\b(?:author|dateline|date|published|datePublished|verdict|category|summary|headline|title|status)\s*=\s*\S"
    + r"|\bthe (?:timeline|chronology) of "
    + _THIS
    + r"\b"
    + r"|\bwhatever the (?:page|article|site) (?:header|date|byline) says\b"
    + r"|\b(?:use|treat|take|consider) (?:this|that) (?:date|day|year) as (?:the )?(?:reference|publication|anchor)\b"
    + r"|\b(?:report|record|give|set) (?:its|the article's|the story's|the page's) date as\b",
    _I,
)

# --- role play ---

_ROLE = re.compile(
    r"\b(?:pretend|imagine|suppose) (?:that )?you(?:'re| are)\b|\bpretend to be\b"
    r"|\byou are (?:now|no longer|henceforth|from now on)\b|\bfrom (?:now|this point|here) on,? (?:you|treat|answer|respond|write)\b"
    r"|^\W{0,4}(?:act|behave|respond|answer|write|speak|reply) as (?:if you were )?(?:an?|the|my)\b"
    r"|\b(?:stay|remain|staying) in character\b|^\W{0,4}(?:role|persona|character)\s*:\s*\w+"
    r"|^\W{0,4}(?:[\w ]{0,25},\s*)?(?:take on|assume|adopt|play) (?:the )?(?:role|persona|part|character|voice)s? of\b"
    r"|^\W{0,4}(?:answer|write|respond|reply|tell|summari[sz]e|describe|retell)\b[^.]{0,40}\bas if you were\b"
    r"|\byou(?:'re|’re| are) (?:now )?(?:a|an|the) [^.]{0,40}\bnow\b|\bnow,? you(?:'re|’re| are) (?:a|an|the)\b"
    r"|(?:^|[:;–—]\s*)\W{0,2}you(?:'re|’re| are) (?:a|an|the) [^.]{0,50}\b(?:this|these) (?:story|news|article|text|report|events?)\b"
    r"|\bswitch roles\b|\bsimulate (?:a version of )?(?:yourself|an? (?:ai|assistant|model))\b"
    r"|\bno (?:content )?(?:polic(?:y|ies)|rules|restrictions|filters|guidelines)\b[^.]{0,30}\b(?:you|yourself|summari[sz]e|answer|respond)"
    r"|\b(?:do anything now|developer mode|dan mode)\b"
    r"|^\W{0,4}(?:become|be) (?:the|an?) (?:\w+ ){0,2}(?:of this story|narrator|villain|hero)\b"
    r"|\bfor the rest of (?:this|the) (?:document|conversation|article|chat|session)\b"
    r"|\bin (?:the|that) voice\b|\b(?:answers?|respond|speaks?) only in (?:rhym|verse|poem)",
    _I,
)

# --- register: control text in running prose ---

_NOTICE_WORDS = (
    r"SYSTEM|OVERRIDE|ADMIN|ADMINISTRATOR|ATTENTION|IMPORTANT|PRIORITY|DEVELOPER|INSTRUCTIONS?|"
    r"DIRECTIVE|ROOT|SECURITY|OPERATOR|CONFIG|PROMPT|LLM|AI|MODEL|ASSISTANT|SUMMARI[SZ]ER|BOT"
)
_CONTROL = re.compile(
    # two capitalised control words in a row, or one before a colon: "SYSTEM OVERRIDE:", "ADMIN NOTICE:"
    r"\b(?:"
    + _NOTICE_WORDS
    + r")\b[\s_-]+(?:[A-Z]+[\s_-]+){0,3}?(?:[A-Z]{3,}\b\s*[:!>]|(?:OVERRIDE|NOTICE|UPDATE|MESSAGE|MODE|INSTRUCTIONS?|DIRECTIVE|PROMPT|ALERT|ENABLED|ACTIVATED)\b)"
    r"|^\W{0,4}(?:" + _NOTICE_WORDS + r")\s*[:>]"
    r"|\[\s*/?(?:system|admin|administrator|developer|operator|root|instructions?|ai|assistant|user|human|model|bot)\s*\]"
    r"|\b(?:override|priority|admin|root|system|developer|security) (?:code|directive|instruction|notice|update|message|command)s?\b[^.]{0,40}[:>]"
    r"|\bnew (?:directive|instruction|orders?|rules?)\s*[:\-]"
    r"|\b(?:effective immediately|henceforth),? (?:all|every|each|you)\b"
    r"|^\W{0,4}(?:#{2,}|\*{3,}|={3,}|>{2,}|-{3,}>)\s*\w"
    r"|\b(?:headline|summary|events|gist|date|timeline|title)\s*=\s*[\"'\w]",
    0,
)
_TOOL_CALL = re.compile(
    r"</?(?:tool_call|tool_response|tool_use|function_calls?|function|invoke|parameter|tool|tool_code|"
    r"user|assistant|system|human|ai|bot|model|im_start|im_end|s|instructions?|prompt)\b[^<>]{0,80}>"
    r"|<function=|\[TOOL_CALLS\]|<\|[\w/|]+\|>|```\s*\w*|\bfunction[ _]call\b|\btool_use\b|\btool_code\b"
    r"|^\W{0,4}(?:action|action input|observation|thought|tool|call|function call|tool call)\s*:"
    r"|\b[a-z_]+\.(?:call|set_\w+|add_\w+|get_\w+)\(|\b(?:set|add|get|update|override|mark|publish|send|extract)_[a-z_]+\("
    r"|\"(?:name|arguments|parameters|tool|function|action|input)\"\s*:"
    r"|\[\[\s*\w+\s*:|\b[a-z_]+\(\s*[a-z_]+\s*=\s*[\"'\w]",
    _I | re.MULTILINE,
)
# markup in running text: tags, HTML and Markdown comments, hidden styles
_MARKUP = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s+[a-zA-Z-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>"
    r"|<!--|-->|^\s*\[[^\]]{0,20}\]:\s*(?:#|<>)|\bdisplay\s*:\s*none\b|\bsr-only\b",
    re.MULTILINE,
)
# a chat turn: a speaker label for a user or a machine, at the start of a line or after a bracket
_TURN = re.compile(
    r"(?:^|[\n>\]\)]\s*|\.\s+)\W{0,4}(?:#+\s*)?(?:user|human|assistant|ai|bot|model|system|chatgpt|gpt|claude|llm|"
    r"q \(user\)|a \(assistant\))\s*(?::|(?:said|replied|answered|responded|wrote|asked):)"
    r"|\b(?:conversation|chat|session|transcript)(?: log)?\b[^.]{0,40}\b(?:assistant|user|bot|ai)\b"
    r"|\bthe (?:user|assistant) (?:asked|agreed|said|wants|requested)\b"
    r"|\bsure, here is (?:your|the) \w+"
    r"|\b(?:understood|done|okay), i (?:will|have)\b|\bi have (?:removed|added|changed|rewritten)\b[^.]{0,40}\b(?:summary|headline|requested)",
    _I | re.MULTILINE,
)

# --- encoded payloads ---

_B64 = re.compile(r"(?<![\w+/])[A-Za-z0-9+/]{16,}={0,2}(?![\w+/])")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}){12,}\b")
_URLENC = re.compile(r"(?:%[0-9A-Fa-f]{2}){5,}")
_UESC = re.compile(r"(?:\\u[0-9a-fA-F]{4}\s?){3,}|(?:\\x[0-9a-fA-F]{2}){4,}")
_BINARY = re.compile(r"(?:\b[01]{8}\b\s*){4,}")
_MORSE = re.compile(r"(?:(?<!\S)[.\-]{1,6}(?:\s+/)?\s+){6,}")
_SPACED = re.compile(r"(?:\b\w\b[ \t]{1,3}){8,}")
_LEET = re.compile(r"\b[a-z013457]*[a-z][013457]+[a-z][a-z013457]*\b", _I)
_LEET_DIGITS = "013457"
_LEET_MAP = str.maketrans(_LEET_DIGITS, "oieast")
_UPPER, _LOWER, _DIGIT = re.compile(r"[A-Z]"), re.compile(r"[a-z]"), re.compile(r"\d")
_DOT_DASH = re.compile(r"[.]-|-[.]")
_SPACE_BETWEEN_LETTERS = re.compile(r"(?<=\b\w) (?=\w\b)")
# the commonest English words: text with many of them, after decoding, is English in disguise
_COMMON = frozenset(
    "the a an and or of to in on for with that this is are was were be by as at it its from all"
    " your you write say said must should only not no any every have has been will would can".split()
)


_LOWER_WORD = re.compile(r"[a-z]+")
_LATIN_WORD = re.compile(r"[a-zA-Z]+")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of two letters or more


@lru_cache(maxsize=4)  # encoded and decoded_forms ask about the same sentence
def _common_share(text: str) -> tuple[int, float]:
    words = _LOWER_WORD.findall(text.lower())
    hits = sum(map(_COMMON.__contains__, words))
    return hits, hits / max(1, len(words))


def _printable_text(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    letters = sum(ch.isalpha() for ch in text)
    printable = sum(ch.isprintable() for ch in text)
    return (
        text
        if (
            len(text) >= 8 and printable == len(text) and letters >= 0.5 * len(text) and " " in text
        )
        else None
    )


def _needs(pattern: re.Pattern[str], sentence: str) -> bool:
    """Whether the sentence has what every find of the encoding pattern needs, told by a
    test far cheaper than the search: a backslash for escapes, "%" for URL encoding, 32
    zeros and ones for binary, a digit leetspeak writes, a piece between spaces 16
    characters long for base64 and hex, seven pieces of one character for spaced-out
    letters (all but the first of eight stand alone). ``tests/test_guard_fast.py``
    checks each on real and generated texts, and the guard's decisions without them."""
    if pattern is _B64 or pattern is _HEX:  # in the order encoded asks
        return max(_token_lengths(sentence), default=0) >= 16
    if pattern is _URLENC:
        return "%" in sentence
    if pattern is _UESC:
        return "\\" in sentence
    if pattern is _BINARY:
        return sentence.count("0") + sentence.count("1") >= 32
    if pattern is _SPACED:
        return _token_lengths(sentence).count(1) >= 7
    if pattern is _LEET:
        return any(digit in sentence for digit in _LEET_DIGITS)
    return True


def _found(pattern: re.Pattern[str], sentence: str) -> list[str]:
    return pattern.findall(sentence) if _needs(pattern, sentence) else []


def encoded(sentence: str) -> str | None:
    """What kind of encoded text the sentence carries, or None (a pattern is searched only
    where the sentence has what its every find needs, see ``_needs``)."""
    for blob in _found(_B64, sentence):
        if _UPPER.search(blob) and _LOWER.search(blob) and (_DIGIT.search(blob) or len(blob) >= 24):
            try:
                raw = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True)
            except (binascii.Error, ValueError):
                continue
            if _printable_text(raw):
                return "base64-encoded text"
    for blob in _found(_HEX, sentence):
        if _printable_text(bytes.fromhex(blob)):
            return "hex-encoded text"
    if (
        _needs(_URLENC, sentence)
        and _URLENC.search(sentence)
        and _printable_text(urllib.parse.unquote(sentence).encode())
    ):
        return "URL-encoded text"
    if _needs(_UESC, sentence) and _UESC.search(sentence):
        return "escaped characters"
    if _needs(_BINARY, sentence) and _BINARY.search(sentence):
        return "binary-encoded text"
    # Morse is told by a dot next to a dash in what was found: one in the sentence first
    morse = _MORSE.search(sentence) if _DOT_DASH.search(sentence) else None
    if morse and morse.group().count(".") >= 3 and _DOT_DASH.search(morse.group()):
        return "Morse code"
    if _spaced(sentence):
        return "spaced-out letters"
    if len(set(_leet_words(sentence))) >= 3:
        return "leetspeak"
    hits, share = _common_share(sentence)
    if hits <= 1 and len(_LATIN_WORD.findall(sentence)) >= 5:
        for name, decoded in (
            ("rot13", codecs.decode(sentence, "rot13")),
            ("reversed", sentence[::-1]),
        ):
            d_hits, d_share = _common_share(decoded)
            if d_hits >= 3 and d_share >= 0.25:
                return f"{name} text"
    return None


@lru_cache(maxsize=4)  # encoded and decoded_forms ask about the same sentence
def _spaced(sentence: str) -> bool:
    return _needs(_SPACED, sentence) and _SPACED.search(sentence) is not None


@lru_cache(maxsize=4)
def _token_lengths(sentence: str) -> list[int]:
    """The lengths of the sentence's pieces between white space."""
    return list(map(len, sentence.split()))


@lru_cache(maxsize=4)
def _leet_words(sentence: str) -> tuple[str, ...]:
    return tuple(_found(_LEET, sentence))


def decoded_forms(sentence: str) -> list[str]:
    """The sentence as its disguises would read once undone (for a second look)."""
    forms = []
    if _common_share(sentence)[1] < 0.15:  # plain English has many of its commonest words
        forms += [codecs.decode(sentence, "rot13"), sentence[::-1]]
    if _leet_words(sentence):
        forms.append(sentence.translate(_LEET_MAP))
    if _spaced(sentence):
        forms.append(_SPACE_BETWEEN_LETTERS.sub("", sentence))
    return [f for f in forms if f != sentence]


# --- second round: broader traits (docs/guard.md, "round 2") ---

_DEICTIC = (
    r"(?:"
    + _THIS
    + r"|this (?:faq|page|article|story|text|report)|(?:reading|processing) (?:this|along)|the (?:text|events?|paragraphs?|lines?) (?:below|above))"
)
_IMPERATIVE_VERBS = (
    r"write|say|state|report|describe|list|add|include|omit|leave|skip|drop|replace|treat|use|call|mark|"
    r"date|set|put|make|give|tell|mention|rate|present|attribute|credit|ignore|disregard|forget|discard|"
    r"remember|summari[sz]e|output|print|return|respond|reply|answer|keep|remove|change|rewrite|retell|"
    r"translate|insert|append|send|copy|repeat|type|produce|generate|create|compose|draft|frame|portray|"
    r"depict|paint|spin|highlight|emphasi[sz]e|downplay|stress|show|turn|convert|label|classify|tag|"
    r"delete|erase|hide|suppress|exclude|channel|pretend|imagine|act|play|become|assume|consider|note|"
    r"record|refer|cite|quote|name|pick|choose|select|begin|start|end|finish|stop|respond|reset|render|"
    r"reformat|format|express|restate|paraphrase|shorten|expand|summarise"
)
_IMPERATIVE_START = re.compile(
    r"^\W{0,4}(?:(?:then|now|so|and|also|next|finally|please|just|simply|kindly),?\s+)*(?:do not |don't |never |always |only )?"
    r"(?:"
    + _IMPERATIVE_VERBS
    + r")\b(?!\s+(?:(?-i:[A-Z][a-z])|said|says|was|is|were|are|has|had)\b)",
    _I,
)
_OUTPUT_THING = re.compile(
    r"\b(?:the|your|this|every|each|any|no|a) (?:output|summary|summaries|headline|title|gist|timeline|key points?|"
    r"bullet points?|write-up|digest|abstract|answer|response|events? (?:below|above|list)|first line)\b"
    r"|\beverything in " + _THIS + r"|\b" + _DEICTIC,
    _I,
)
_DEICTIC_ONLY = re.compile(_DEICTIC, _I)
# verbs whose object is the text itself: "Summarise this article as a poem", "Rewrite this story"
_REWORK = re.compile(
    r"^\W{0,4}(?:(?:then|now|so|and|also|next|finally|please|just|simply|kindly),?\s+)*(?:do not |don't |never )?"
    r"(?:summari[sz]e|rewrite|retell|channel|impersonate|translate|paraphrase|shorten|condense|reformat|restate|ignore|"
    r"disregard|forget|describe|report|render|present|portray|frame|spin|treat|date|title|headline)\b",
    _I,
)
_BROAD = re.compile(
    # a heading addressed to a machine: "Editorial advisory for AI readers: ..."
    r"^[^:]{0,60}?\b(?:to|for)\b[^:]{0,30}?\b" + _MACHINE + r"\b[^:]{0,40}:"
    # a machine named together with this very text: "the neural network processing this"
    r"|\b"
    + _MACHINE
    + r"\b[^.]{0,80}?"
    + _DEICTIC
    + r"|"
    + _DEICTIC
    + r"[^.]{0,80}?\b"
    + _MACHINE
    + r"\b"
    r"|\bif you\b[^.,;]{0,30}\b" + _MACHINE + r"\b|\bshould (?:an?|the|any) " + _MACHINE + r" be\b"
    r"|\bonly for (?:the |any )?(?:[\w-]+ )?" + _MACHINE + r"\b"
    # the task swapped: "instead of summarising", "your real task is"
    r"|\b(?:instead of|rather than|skip|do not|don't|no need to|stop) (?:producing |writing |giving )?(?:a |the |any )?summar(?:y|ies|i[sz]e|i[sz]ing)\b"
    r"|\byour (?:real|actual|true|new|only|next) (?:task|job|goal|instructions?|mission|assignment)\b"
    r"|\btranslate " + _THIS + r"|\binstead of (?:a |the )?summar"
    # the output's rules: "is not allowed in the summary", "the title you give"
    r"|\b(?:in|from|of) (?:the|your|any) (?:summary|headline|title|output|timeline|key points)\b[^.]{0,30}\b(?:is|are) (?:not )?(?:allowed|forbidden|required|banned|prohibited)\b"
    r"|\b(?:summary|headline|title|gist|timeline|output|write-up) (?:that )?you (?:give|write|produce|generate|make|create|prepare|output|return)\b"
    r"|\b(?:respond|reply|answer) with (?:what|the (?:text|words|message|line|lines|sentence|paragraph))\b[^.]{0,20}(?:follows|below|next)"
    r"|\b(?:for|on|upon|with|to) (?:any|a|each|every) (?:summary|summari[sz]ation|headline) (?:request|question|query|prompt)\b"
    r"|\band add nothing\b|\bnothing else\b[^.]{0,20}$"
    # claims about the text itself
    r"|^\W{0,4}(?:originally |first |last )?(?:published|posted|updated|dated|written)(?: on| at)?\s*:"
    r"|\btreat (?:that|this|it) as (?:its|the|this (?:article|story)'s) (?:date|publication date|headline)\b"
    r"|\b(?:all|every|each)\b[^.]{0,30}\b(?:dates?|events?|times?|figures?)\b[^.]{0,20}\b(?:in|of|from) "
    + _THIS
    + r"|\b(?:genuine|real|true|actual|original|correct) (?:headline|title|date|summary) of "
    + _THIS
    + r"(?:,[^,]{0,40},)?\s+(?:is|was|reads|read)\b"
    r"|\bthe date of " + _THIS + r"\b"
    r"|\b(?:date|type|subject|author|category|section|status)\s*:\s*\S[^.]{0,60}\b(?:date|type|subject|author|category|section|status)\s*:",
    _I,
)
# traits that news also has: alone they keep the sentence with a warning (``loose``)
_LOOSE = re.compile(
    # a persona given to the reader, outside any quotation: "you're a disgruntled former employee"
    # (and a review's "You are the eponymous renegade spy")
    r"(?:^|[:;–—]\s*)\W{0,2}you(?:'re|’re| are) (?:now )?(?:a|an|the) (?!(?:\w+ )?(?:reader|viewer|customer|subscriber|user|member)s?\b)\w+"
    r"|\b(?:this|the) (?:story|article|report|piece|page) (?:first|originally) (?:ran|appeared|ran online|came out)\b"
    r"|\b(?:take on|assume|adopt|play) (?:the )?(?:role|persona|part|character|voice)s? of\b"
    r"|\b(?:and|then) (?:absolutely )?nothing (?:else|more)\b|\bjailbr(?:eak|oken)\b|\brole[ -]?play\b",
    _I,
)
_QUOTE_MARKS = re.compile(r"[\"“”‘«»„]|(?:^|\s)'")
# "'Leave your homes now,' the police told residents": an order reported, not given
REPORTED = re.compile(
    r"^\W{0,2}[\"“‘'`]+[^\"“”‘’]{2,}?[,.!?]?[\"”’'`]+,?\s+(?:[\w.'’-]+\s+){0,6}?(?:said|says|told|tells|urged|"
    r"urges|wrote|writes|shouted|asked|asks|warned|warns|added|adds|ordered|orders|insisted|replied|demanded|typed|posted|"
    r"pleaded|tweeted|announced|explained|stated|declared|yelled|cried|chanted|read|reads|advised)\b"
)
_CAPS_WORD = re.compile(r"\b[A-Z]{2,}\b")
_CONTROL_CAPS = re.compile(
    r"\b(?:PROMPT|SYSTEMS?|AI|MODELS?|INSTRUCTIONS?|CONFIG|CONFIGURATION|OUTPUT|SUMMARY|"
    r"HEADLINE|IGNORE|RESET|OVERRIDE|ADMIN|ROOT|KERNEL|LLM|ASSISTANT)\b"
)


# the large patterns, each searched only in a sentence holding what its every match holds
_BROAD_SEARCH = Prefiltered(_BROAD).search
_LOOSE_SEARCH = Prefiltered(_LOOSE).search
_ADDRESS_SEARCH = Prefiltered(_ADDRESS).search
_DIRECTIVE_SEARCH = Prefiltered(_DIRECTIVE).search
_META_SEARCH = Prefiltered(_META).search
_ROLE_SEARCH = Prefiltered(_ROLE).search
_TOOL_CALL_SEARCH = Prefiltered(_TOOL_CALL).search
_TURN_SEARCH = Prefiltered(_TURN).search
_CONTROL_SEARCH = Prefiltered(_CONTROL).search
_REQUEST_SEARCH = Prefiltered(_REQUEST).search
_MARKUP_SEARCH = Prefiltered(_MARKUP).search
_CONTROL_CAPS_SEARCH = Prefiltered(_CONTROL_CAPS).search


@lru_cache(maxsize=4)  # broad and loose ask about the same sentence
def _imperative_start(sentence: str) -> bool:
    return _IMPERATIVE_START.search(sentence) is not None


def broad(sentence: str) -> str | None:
    """The second round's traits: machine headings, a machine named with this text, task swaps,
    claims about the text, personas, orders about the output, control text in capitals."""
    found = _BROAD_SEARCH(sentence)
    if found and not (
        found.group().lower().lstrip(" :;–—\"'").startswith("you") and _QUOTE_MARKS.search(sentence)
    ):
        return "addressed to the machine reading the page"
    thing = _OUTPUT_THING.search(sentence) if _imperative_start(sentence) else None
    # "Please use this page to leave us comments": a page's own order to its readers is
    # news furniture; only the output itself as the order's object is sure (see ``loose``)
    if (
        thing
        and not REPORTED.search(sentence)
        and (not _DEICTIC_ONLY.fullmatch(thing.group()) or _REWORK.search(sentence))
    ):
        return "orders about the summary or the output"
    if not _CONTROL_CAPS_SEARCH(sentence):  # the rare sentence is counted
        return None
    words = _LETTER_WORD.findall(sentence)
    caps = _CAPS_WORD.findall(sentence)
    if len(words) >= 4 and len(caps) >= 0.8 * len(words) and not _QUOTE_MARKS.search(sentence):
        return "a control notice in capitals"
    return None


def loose(sentence: str) -> str | None:
    """A trait that messages to a machine have and news sometimes has too: a persona given to
    "you", a note on where the story first ran, a role taken on, "and nothing more", an
    order about "this page", a question asking for something about the headline."""
    if REPORTED.search(sentence):
        return None
    if _LOOSE_SEARCH(sentence):
        return "wording that orders or casts its reader"
    if _imperative_start(sentence) and _OUTPUT_THING.search(sentence):
        return "an order about this page"
    if _REQUEST_SEARCH(sentence) and _REQUEST_OBJECT.search(sentence):
        return "a question about the summary or the output"
    return None


def addressing(sentence: str) -> str | None:
    if _ADDRESS_SEARCH(sentence):
        return "addressed to an AI or automated reader"
    return None


def orders_output(sentence: str) -> str | None:
    if _DIRECTIVE_SEARCH(sentence):
        return "orders about the summary or the output"
    question = sentence.rstrip(" \"'”’").endswith("?")  # "Would you put that in a headline?"
    if not question and _REQUEST_SEARCH(sentence) and _REQUEST_OBJECT.search(sentence):
        return "a request about the summary or the output"
    return None


def claims_about_article(sentence: str) -> str | None:
    if _META_SEARCH(sentence):
        return "claims about the article itself or its metadata"
    return None


def role_play(sentence: str) -> str | None:
    if _ROLE_SEARCH(sentence):
        return "gives its reader a role to play"
    return None


def control_text(sentence: str) -> str | None:
    if _TOOL_CALL_SEARCH(sentence):
        return "tool-call or function-call syntax"
    if _TURN_SEARCH(sentence):
        return "a chat turn between a user and an assistant"
    if _CONTROL_SEARCH(sentence):
        return "a system or admin notice"
    if _MARKUP_SEARCH(sentence):
        return "markup in running text"
    return None


# --- weak traits: they only extend a message already found ---

_IMPERATIVE = re.compile(
    r"^\W{0,4}(?:please\s+)?(?:write|say|state|report|describe|list|add|include|omit|leave|skip|drop|"
    r"replace|treat|use|call|mark|date|set|put|make|give|tell|mention|rate|present|attribute|credit|"
    r"ignore|disregard|forget|discard|remember|summari[sz]e|output|print|return|respond|reply|answer|"
    r"keep|remove|change|rewrite|translate|insert|append|send|copy|repeat|type|begin|start|end|stop|"
    r"do not|don't|never|always|only|just|note that|consider|assume|record|claim|insist|pretend|act|"
    r"imagine|visit|click|log in|download|confirm|verify|update|claim|pay|elect)\b",
    _I,
)
_QUOTATION = re.compile(r"[\"“][^\"“”]*(?:[\"”]|$)")
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b", _I)
_DOMAIN = re.compile(
    r"\b[a-z0-9-]+\.(?:com|net|org|info|biz|shop|help|co|io|xyz|online|site|top)\b", _I
)


_OUTPUT_IS = re.compile(
    r"\b(?:the|this) (?:summary|headline|gist|timeline|answer) (?:is|reads)\b", _I
)
_IT_SHOULD = re.compile(r"\W{0,3}(?:it|they|this) (?:should|must|shall|is to)\b", _I)
_ITEM_OR_LABEL = re.compile(r"\W{0,3}(?:\d{1,2}[.)]|[A-Z][a-z]{1,15}:)(?:\s|$)")
_ALARM = re.compile(r"\b(?:urgent|alert|congratulations)\b", _I)


def weak(sentence: str) -> bool:
    """A trait that belongs to a message to the machine once one has begun."""
    return bool(
        _IMPERATIVE.search(sentence)
        or _IMPERATIVE_START.search(sentence)
        or _SECOND_PERSON.search(_QUOTATION.sub(" ", sentence))  # "you" in a quote is someone's
        or fragment(sentence)
        or _OUTPUT_IS.search(sentence)
        or _IT_SHOULD.match(sentence)
        or _ITEM_OR_LABEL.match(sentence)
        or _DOMAIN.search(sentence)
        or _ALARM.search(sentence)
    )


_INTRODUCES = re.compile(
    r"\b(?:the following|as follows|what follows|(?:text|message|words?|lines?|sentences?|paragraph|note|"
    r"statement|passage|payload|reply|answer)s? (?:\w+ ){0,2}?below"
    r"|(?:is|are|comes?|follows?|goes|appears?|written|given|printed)\s+below\s*[.:]?$|that follows|this (?:text|message|sentence|paragraph|line|notice)"
    r"|the next (?:sentence|paragraph|line|message|part)|(?:a|the) message (?:for|to) [^.]{0,40} follows"
    r"|what comes (?:next|below|after)|here comes|(?:the )?line below|(?:in|between|inside) (?:the )?brackets"
    r"|follows\s*[.:]?$|\b(?:this|these|it) instead\b|\bhere is what\b|\bwhat really happened\b"
    r"|\b(?:is|are) (?:this|these)(?: one)?\s*[.:]?$)"
    r"|[:：]\s*$|^\s*#{1,6}\s*(?:new |updated )?(?:instructions?|tasks?|directives?|rules)\b",
    _I,
)


# a sentence that says the text around it is meant for a machine points at what follows
_ANNOUNCES = re.compile(
    r"^\W{0,4}this (?:part|bit|section|paragraph|line|message|note|passage)\b[^.]{0,20}?\b(?:is )?"
    r"(?:only )?(?:meant|intended|written|addressed) (?:only )?(?:for|to)\b",
    _I,
)


def fragment(sentence: str) -> bool:
    """A piece with no word in it (a sentence splitter's cut through code or Morse)."""
    return not _LETTER_WORD.search(sentence)


_SPEAKER_LAST = re.compile(
    # nothing after the label but a mark or two and a number: not a message in marks (Morse)
    r"(?:\[\s*\w+\s*\]|\b(?:assistant|ai|bot|model|system|user|human)\s*:)"
    r"\s*[^\w\s]{0,2}\s*\d*[.)]?\s*$",
    _I,
)


_TOKEN = re.compile(r"\S+")  # a word, or a word encoded (Morse ".--", base64, leetspeak)


def introduces(sentence: str) -> bool:
    """Whether a hostile sentence introduces what comes after it ("reply with only the following").

    Not when the introduced text is already in the sentence (four tokens or more after
    the introducing words, with no bracket left open)."""
    text = sentence.rstrip()
    if _ANNOUNCES.search(text):
        return True  # "This part is meant for the system reading the page." : the part follows
    if _SPEAKER_LAST.search(text):
        return True  # "... [assistant] 1." : the answer follows
    introductions = list(_INTRODUCES.finditer(text))
    if not introductions:
        return False
    rest = text[introductions[-1].end() :]
    return len(_TOKEN.findall(rest)) < 4 or opens_unclosed(sentence)


def opens_unclosed(sentence: str) -> bool:
    """A quotation or bracket opened and not closed: its message goes on in the next sentence."""
    pairs = [("“", "”"), ("«", "»"), ("[", "]"), ("(", ")"), ("<", ">")]
    if any(sentence.count(a) > sentence.count(b) for a, b in pairs):
        return True
    if sentence.count('"') % 2 == 0:
        return False
    last = sentence.rindex('"')  # an odd one out: opening if it starts a word
    return last == 0 or sentence[last - 1] in " \t\n:([" and last + 1 < len(sentence)
