"""The prose inside generated code (comments and docstrings), and whether it is in the page's language."""
import io
import re
import tokenize

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
ENGLISH_WORD = re.compile(r"^[A-Za-z]{2,}[,.:;)]?$")
QUOTED_ERROR = re.compile(r"^[\w.]*(Error|Exception|Warning)\b")   # PyTorch's own message, quoted as it prints it


def prose(code: str) -> list[str]:
    """Every comment and docstring of a Python snippet (a string that is a statement of its own)."""
    found, starts_statement = [], True
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            found.append(tok.string.lstrip("#").strip())
        elif tok.type == tokenize.STRING and starts_statement:
            found.append(tok.string.strip("\"'"))
        if tok.type not in (tokenize.COMMENT, tokenize.NL):
            starts_statement = tok.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    return found


def slips(code: str, lang: str) -> list[str]:
    """The comments and docstrings that are not in ``lang``: English prose on a 中文 page, any Chinese on an English one.

    English prose is two or more plain words; a file name (``# model.py``) or quoted code is neither language.
    """
    if lang == "en":
        return [text for text in prose(code) if CJK.search(text)]
    return [text for text in prose(code) if not CJK.search(text) and not QUOTED_ERROR.match(text)
            and sum(bool(ENGLISH_WORD.match(word)) for word in text.split()) >= 2]
