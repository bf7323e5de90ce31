#!/usr/bin/python3
"""Which reasons can ha::Decide give, and which scenario file pins each one (coverage.sh).

A reason is the first argument of a `Do(...)` call in the given C++ sources. It is read as a
pattern: its string literals verbatim, anything computed (a name, a number) as a wildcard, so
`Do("following leader " + leader)` is the reason `following leader …`. Also understood:
`Do(cond ? "a" : "b" + x)` (two reasons), and `Do(reason)` / `Do(std::move(reason))` where
`reason` is a local variable: every `reason = ...` assignment in the same function is a reason.

A scenario file pins a reason when its `reason:` line matches the pattern; when several patterns
match, the one with the most literal text wins (`demoting: … holds the leader key` vs
`demoting: the leader lease could not be renewed in time`).

Output, one line per reason, in source order:
    PINNED <reason> <- <file> [(+N more)]
    UNPINNED <reason>  [<source>:<line>]
    EXEMPT <reason>  [<exemption>]
and then any scenario whose reason matches no reason found in the sources (the extractor missed
one, or the scenario is stale):
    NOMATCH <file>: <its reason>
Exit status: 0 all pinned; 1 something UNPINNED, a NOMATCH, or an exemption that matches no
reason any more; 2 the sources could not be read as described above.

No third-party modules: this runs wherever the scenario tier runs.
"""

import argparse
import os
import re
import sys
from dataclasses import dataclass, field

WILD = None  # a computed part of a reason


class ExtractError(Exception):
    pass


# --- a small C++ lexer: enough to find calls and their arguments ---------------------------------

@dataclass
class Tok:
    kind: str  # str, id, num, punct, char
    text: str  # for str: the literal's value (escapes resolved)
    line: int


PUNCT = ["::", "->", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "<<", ">>", "++", "--"]
ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0", "r": "\r"}


def lex(text, path):
    toks, i, line, n = [], 0, 1, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            at_line_start = True
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if at_line_start and c == "#":  # preprocessor line (with continuations)
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    line += 1
                    i += 1
                i += 1
            continue
        at_line_start = False
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ExtractError(f"{path}:{line}: unterminated comment")
            line += text.count("\n", i, end)
            i = end + 2
            continue
        m = re.match(r'(u8|u|U|L)?R"([^(\s]*)\(', text[i:])
        if m:  # raw string literal
            close = ")" + m.group(2) + '"'
            end = text.find(close, i + m.end())
            if end < 0:
                raise ExtractError(f"{path}:{line}: unterminated raw string")
            toks.append(Tok("str", text[i + m.end():end], line))
            line += text.count("\n", i, end)
            i = end + len(close)
            continue
        m = re.match(r'(u8|u|U|L)?(["\'])', text[i:])
        if m:
            quote, j, value = m.group(2), i + m.end(), []
            while True:
                if j >= n or text[j] == "\n":
                    raise ExtractError(f"{path}:{line}: unterminated literal")
                if text[j] == "\\":
                    value.append(ESCAPES.get(text[j + 1], text[j + 1]))
                    j += 2
                    continue
                if text[j] == quote:
                    break
                value.append(text[j])
                j += 1
            toks.append(Tok("str" if quote == '"' else "char", "".join(value), line))
            i = j + 1
            continue
        m = re.match(r"[A-Za-z_]\w*", text[i:])
        if m:
            toks.append(Tok("id", m.group(0), line))
            i += m.end()
            continue
        m = re.match(r"\.?\d[\w.']*", text[i:])
        if m:
            toks.append(Tok("num", m.group(0), line))
            i += m.end()
            continue
        p = next((p for p in PUNCT if text.startswith(p, i)), c)
        toks.append(Tok("punct", p, line))
        i += len(p)
    return toks


OPEN, CLOSE = {"(": ")", "[": "]", "{": "}"}, {")", "]", "}"}


def matching(toks, i):
    """Index of the bracket closing the one at toks[i]."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j]
        if t.kind == "punct" and t.text in OPEN:
            depth += 1
        elif t.kind == "punct" and t.text in CLOSE:
            depth -= 1
            if depth == 0:
                return j
    raise ExtractError(f"line {toks[i].line}: unbalanced '{toks[i].text}'")


def split_top(toks, sep):
    """Splits a token list at top-level occurrences of the punctuator `sep`."""
    parts, cur, depth = [], [], 0
    for t in toks:
        if t.kind == "punct" and t.text in OPEN:
            depth += 1
        elif t.kind == "punct" and t.text in CLOSE:
            depth -= 1
        if depth == 0 and t.kind == "punct" and t.text == sep:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    parts.append(cur)
    return parts


def function_bodies(toks):
    """(open, close) token indices of every outermost block that is not a namespace."""
    bodies, i = [], 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "punct" and t.text == "{":
            k = i - 1
            while k >= 0 and (toks[k].kind == "id" or toks[k].text == "::"):
                k -= 1
            is_ns = any(x.text == "namespace" for x in toks[k + 1:i]) or (
                i >= 2 and toks[i - 1].kind == "str" and toks[i - 2].text == "extern")
            initializer = i > 0 and toks[i - 1].text in ("=", ",", "(", "return")
            if not is_ns and not initializer:
                end = matching(toks, i)
                bodies.append((i, end))
                i = end
        i += 1
    return bodies


# --- reasons -------------------------------------------------------------------------------------

@dataclass
class Reason:
    parts: tuple  # literal strings and WILD
    where: list = field(default_factory=list)  # "file:line" of each call giving it

    @property
    def display(self):
        return "".join("…" if p is WILD else p for p in self.parts)

    @property
    def literal_len(self):
        return sum(len(p) for p in self.parts if p is not WILD)

    def regex(self):
        return re.compile("".join(".*?" if p is WILD else re.escape(p) for p in self.parts),
                          re.DOTALL)


def normalize(parts):
    out = []
    for p in parts:
        if p is WILD and out and out[-1] is WILD:
            continue
        if p is not WILD and out and out[-1] is not WILD:
            out[-1] += p
            continue
        if p is not WILD and p == "":
            continue
        out.append(p)
    return tuple(out)


def strip_move(expr):
    if (len(expr) >= 4 and [t.text for t in expr[:4]] == ["std", "::", "move", "("]
            and matching(expr, 3) == len(expr) - 1):
        return expr[4:-1]
    while expr and expr[0].text == "(" and matching(expr, 0) == len(expr) - 1:
        expr = expr[1:-1]
    return expr


def ternary(expr):
    """(then, else) token lists when `expr` is `cond ? a : b` at top level, else None."""
    depth, q = 0, None
    for j, t in enumerate(expr):
        if t.kind == "punct" and t.text in OPEN:
            depth += 1
        elif t.kind == "punct" and t.text in CLOSE:
            depth -= 1
        elif depth == 0 and t.kind == "punct" and t.text == "?":
            q = j
            break
    if q is None:
        return None
    depth, nested = 0, 0
    for j in range(q + 1, len(expr)):
        t = expr[j]
        if t.kind == "punct" and t.text in OPEN:
            depth += 1
        elif t.kind == "punct" and t.text in CLOSE:
            depth -= 1
        elif depth == 0 and t.text == "?":
            nested += 1
        elif depth == 0 and t.text == ":":
            if nested == 0:
                return expr[q + 1:j], expr[j + 1:]
            nested -= 1
    raise ExtractError(f"line {expr[q].line}: '?' without ':'")


def patterns(expr, resolve):
    """Every reason pattern the expression can produce."""
    expr = strip_move(expr)
    if not expr:
        raise ExtractError("empty reason expression")
    alt = ternary(expr)
    if alt:
        return patterns(alt[0], resolve) + patterns(alt[1], resolve)
    if len(expr) == 1 and expr[0].kind == "id":
        return resolve(expr[0])
    parts = []
    for term in split_top(expr, "+"):
        if term and all(t.kind == "str" for t in term):
            parts.append("".join(t.text for t in term))  # "a" "b": one literal
        else:
            parts.append(WILD)
    return [(normalize(parts), expr[0].line)]


def assignments(toks, lo, hi, name):
    """Right-hand sides of `name = ...;` (and whether `name += ...` occurs) in toks[lo:hi]."""
    rhs, appended = [], False
    for j in range(lo, hi):
        t = toks[j]
        if t.kind != "id" or t.text != name or toks[j - 1].text in (".", "->", "::"):
            continue
        op = toks[j + 1].text
        if op in ("=", "+="):
            k = j + 2
            while k < hi and toks[k].text != ";":
                if toks[k].kind == "punct" and toks[k].text in OPEN:
                    k = matching(toks, k)
                k += 1
            if op == "=":
                rhs.append(toks[j + 2:k])
            else:
                appended = True
    return rhs, appended


def extract(path, text):
    """[(parts, 'file:line')] for every Do(...) call in one source file."""
    toks = lex(text, path)
    bodies = function_bodies(toks)
    found = []
    for i, t in enumerate(toks):
        if t.kind != "id" or t.text != "Do" or i + 1 >= len(toks) or toks[i + 1].text != "(":
            continue
        prev = toks[i - 1] if i > 0 else None
        if prev and (prev.text in (".", "->", "::") or (prev.kind == "id" and prev.text != "return")):
            continue  # a member called Do, or the definition `Decision Do(...)`
        where = f"{path}:{t.line}"
        close = matching(toks, i + 1)
        first = split_top(toks[i + 2:close], ",")[0]
        body = next(((lo, hi) for lo, hi in bodies if lo < i < hi), (0, len(toks)))

        def resolve(name_tok, body=body, where=where):
            rhs, appended = assignments(toks, body[0], body[1], name_tok.text)
            if not rhs:
                raise ExtractError(f"{where}: the reason '{name_tok.text}' is never assigned a "
                                   "value in this function; give Do() a literal-led expression")
            out = []
            for r in rhs:
                for p, line in patterns(r, lambda n: [((WILD,), n.line)]):
                    out.append((normalize(p + (WILD,)) if appended else p, line))
            return out

        try:
            for parts, line in patterns(first, resolve):
                if not any(p is not WILD for p in parts):
                    raise ExtractError("the reason has no string literal; write Do(\"what "
                                       "happens: \" + detail) so coverage.sh can name it")
                found.append((parts, f"{path}:{line}"))
        except ExtractError as e:
            raise ExtractError(e.args[0] if str(e).startswith(path) else f"{where}: {e}")
    # Reasons must go through Do(): a Decision built by hand would escape this listing.
    helper = [b for b in bodies if any(
        toks[k].text == "Do" and toks[k + 1].text == "(" and toks[k - 1].kind == "id"
        and toks[k - 1].text != "return" for k in range(max(1, b[0] - 30), b[0]))]
    for i, t in enumerate(toks):
        if t.kind == "id" and t.text == "Decision" and toks[i + 1].text in ("{", "("):
            if not any(lo < i < hi for lo, hi in helper[:1]):
                raise ExtractError(f"{path}:{t.line}: a Decision built outside Do(); build every "
                                   "decision with Do(reason, actions) so coverage.sh sees it")
    return found


def all_reasons(sources):
    reasons = {}
    for path in sources:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for parts, where in extract(path, text):
            reasons.setdefault(parts, Reason(parts)).where.append(where)
    return list(reasons.values())


# --- scenarios -----------------------------------------------------------------------------------

def scenario_reasons(directory):
    out = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not name.endswith(".txt") or name == "CMakeLists.txt" or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line.startswith("reason:"):
                    out.append((name, line[len("reason:"):].strip()))
    return out


def read_exemptions(path):
    """Leading texts of reasons allowed to stay unpinned, one a line; `#` comments."""
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.lstrip().startswith("#")]


def report(reasons, scenarios, exemptions, out):
    pinned = {id(r): [] for r in reasons}
    nomatch = []
    compiled = [(r, r.regex()) for r in reasons]
    for name, text in scenarios:
        hits = [r for r, rx in compiled if rx.fullmatch(text)]
        if not hits:
            nomatch.append((name, text))
            continue
        best = max(r.literal_len for r in hits)
        for r in hits:
            if r.literal_len == best:
                pinned[id(r)].append(name)
    used = set()
    counts = {"PINNED": 0, "UNPINNED": 0, "EXEMPT": 0}
    for r in reasons:
        files = pinned[id(r)]
        if files:
            more = f" (+{len(files) - 1} more)" if len(files) > 1 else ""
            print(f"PINNED {r.display} <- {files[0]}{more}", file=out)
            counts["PINNED"] += 1
            continue
        ex = next((e for e in exemptions if r.display.startswith(e)), None)
        if ex is not None:
            used.add(ex)
            print(f"EXEMPT {r.display}  [{ex}]", file=out)
            counts["EXEMPT"] += 1
        else:
            print(f"UNPINNED {r.display}  [{', '.join(r.where)}]", file=out)
            counts["UNPINNED"] += 1
    for name, text in nomatch:
        print(f"NOMATCH {name}: {text}", file=out)
    stale = [e for e in exemptions if e not in used]
    for e in stale:
        print(f"STALE-EXEMPTION {e}  (no unpinned reason starts with it: delete the line)", file=out)
    print(f"{len(reasons)} reasons: {counts['PINNED']} pinned, {counts['UNPINNED']} unpinned, "
          f"{counts['EXEMPT']} exempt; {len(nomatch)} scenarios match no reason; "
          f"{len(stale)} stale exemptions", file=out)
    return 1 if counts["UNPINNED"] or nomatch or stale else 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenarios", required=True, help="directory of scenario *.txt files")
    ap.add_argument("--exempt", help="file of reasons allowed to stay unpinned")
    ap.add_argument("--list", action="store_true", help="only list the reasons found")
    ap.add_argument("sources", nargs="+", help="C++ files holding Decide's Do() calls")
    args = ap.parse_args(argv)
    try:
        reasons = all_reasons(args.sources)
    except (ExtractError, OSError) as e:
        print(f"coverage: {e}", file=sys.stderr)
        return 2
    if args.list:
        for r in reasons:
            print(f"{r.display}  [{', '.join(r.where)}]")
        return 0
    return report(reasons, scenario_reasons(args.scenarios), read_exemptions(args.exempt),
                  sys.stdout)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
