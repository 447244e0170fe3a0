"""dockerfile - reads the repository's Dockerfile for the tests that hold other files to it
(dockerfile_libs.py: the runtime stage's packages; image.py: the image make image builds)."""
import json
import re


def dockerfile_stages(text):
    """[(from_line, [instructions])] with line continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")))
    stages = []
    for line in joined.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.upper().startswith("FROM "):
            stages.append((line, []))
        elif stages:
            stages[-1][1].append(line)
    return stages


def apt_installed(instructions):
    """The packages the RUN instructions' `apt-get install` commands name."""
    pkgs = []
    for ins in instructions:
        if not ins.upper().startswith("RUN "):
            continue
        for cmd in re.split(r"&&|;", ins[4:]):
            words = cmd.split()
            if "apt-get" in words and "install" in words:
                pkgs += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return pkgs


def arguments(instructions, keyword):
    """The text after KEYWORD of each such instruction, in order."""
    return [i.split(None, 1)[1] if len(i.split(None, 1)) > 1 else "" for i in instructions
            if i.split(None, 1)[0].upper() == keyword]


def exec_form(text):
    """ENTRYPOINT / CMD in exec form (a JSON array), or None."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def labels(instructions, args):
    """LABEL key="value" pairs, with $NAME / ${NAME} replaced from args."""
    out = {}
    for text in arguments(instructions, "LABEL"):
        for key, quoted, bare in re.findall(r'([A-Za-z0-9._-]+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))', text):
            value = quoted if quoted or not bare else bare
            out[key] = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: args.get(m.group(1), m.group(0)), value)
    return out


def global_args(text):
    """ARG NAME=default lines before the first FROM: {NAME: default}."""
    out = {}
    for line in text.splitlines():
        if line.strip().upper().startswith("FROM "):
            break
        m = re.match(r"\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)\s*$", line)
        if m:
            out[m.group(1)] = m.group(2).strip('"')
    return out
