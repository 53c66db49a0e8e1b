#!/usr/bin/env python3
"""Writes json_golden.jsonl beside this script: what CPython's json.dumps writes.

Our encoder promises the bytes Python's `json.dumps(obj)` writes with its
default arguments. This script asks Python itself. Each output line is a JSON
array of two strings:

    [input_text, expected]

`input_text` is a JSON text written in one of several styles (raw UTF-8 or
\\u escapes, compact, indented, random whitespace), and
`expected == json.dumps(json.loads(input_text))`. The Rust test
`tests/json_golden.rs` parses each input with our parser, encodes it with our
encoder, and compares the bytes.

The output is deterministic (a fixed seed), so running the script again gives
the same file. Only Python's standard library is used; `cargo test` does not
need Python, because the generated file is committed.

Numbers are integers only: Python re-formats floats (`1e2` -> `100.0`) and
`-0` (-> `0`), while our encoder writes a number's original text, and the
protocol only sends integers. Lone surrogates are avoided: Python accepts
them, we reject them on purpose.

    python3 tests/data/gen_json_golden.py
"""

import json
import os
import random

SEED = 8259  # the RFC's number
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "json_golden.jsonl")

MESSAGE_TYPES = ["USER_JOIN", "USER_LEAVE", "TEXT", "FILE", "FILE_DATA", "FILE_COMPLETE", "ERROR"]

# Characters grouped by how json.dumps writes them.
SHORT_ESCAPES = ['"', "\\", "\n", "\r", "\t", "\b", "\f"]
OTHER_CONTROLS = [chr(c) for c in range(0x20) if chr(c) not in SHORT_ESCAPES]
PRINTABLE = [chr(c) for c in range(0x20, 0x7F)]
SAMPLES = {
    "latin": "é ü ß ñ Ø ¿ © ° ± µ",
    "chinese": "你好世界 聊天室 文件传输 用户名 小明 李雷 韩梅梅",
    "other_scripts": "Привет שלום مرحبا こんにちは 안녕하세요 ελληνικά",
    "symbols": "€ → ✓ ★ … \u2028 \u2029 \ufeff \ufffd \uffff",
    "emoji": "😀 👋 🎉 🚀 ❤️ 👨‍👩‍👧 🇨🇳 𝄞 𠀀",
}


def random_char(rng):
    """One character, chosen to cover every escape class."""
    kind = rng.random()
    if kind < 0.45:
        return rng.choice(PRINTABLE)
    if kind < 0.52:
        return rng.choice(SHORT_ESCAPES)
    if kind < 0.57:
        return rng.choice(OTHER_CONTROLS)
    if kind < 0.59:
        return "\x7f"
    if kind < 0.63:
        return chr(rng.randrange(0x80, 0x800))  # two UTF-8 bytes
    if kind < 0.78:
        return chr(rng.randrange(0x4E00, 0xA000))  # CJK ideographs
    if kind < 0.85:
        code = rng.randrange(0x800, 0x10000)  # three UTF-8 bytes, no surrogates
        return chr(code if not 0xD800 <= code < 0xE000 else code - 0x1000)
    if kind < 0.95:
        return chr(rng.randrange(0x1F300, 0x1FA00))  # emoji: surrogate pairs
    return chr(rng.randrange(0x10000, 0x110000))  # anything above the BMP


def random_text(rng, max_len=24):
    style = rng.random()
    if style < 0.1:
        return ""
    if style < 0.3:
        name = rng.choice(list(SAMPLES))
        words = SAMPLES[name].split(" ")
        return " ".join(rng.sample(words, rng.randint(1, len(words))))
    return "".join(random_char(rng) for _ in range(rng.randint(1, max_len)))


def random_int(rng):
    kind = rng.random()
    if kind < 0.3:
        return rng.randint(0, 1000)
    if kind < 0.45:
        return -rng.randint(1, 10**6)
    if kind < 0.6:
        return rng.randint(0, 2**64 - 1)
    if kind < 0.7:
        return rng.randint(-(2**63), -1)
    if kind < 0.85:
        return rng.getrandbits(rng.randint(65, 200))  # beyond u64
    return -rng.getrandbits(rng.randint(64, 200))


def random_scalar(rng):
    kind = rng.random()
    if kind < 0.4:
        return random_text(rng)
    if kind < 0.7:
        return random_int(rng)
    if kind < 0.8:
        return True
    if kind < 0.9:
        return False
    return None


def random_value(rng, depth):
    kind = rng.random()
    if depth <= 0 or kind < 0.6:
        return random_scalar(rng)
    if kind < 0.8:
        return [random_value(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return {random_text(rng, 8): random_value(rng, depth - 1) for _ in range(rng.randint(0, 4))}


def random_base64(rng, length):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    body = "".join(rng.choice(alphabet) for _ in range(length))
    return body + "=" * rng.randint(0, 2)


def random_metadata(rng, message_type):
    """Metadata shaped like the protocol's, with random values."""
    metadata = {}
    if message_type == "USER_JOIN":
        metadata["self"] = rng.choice([True, False])
        metadata["users"] = [random_text(rng, 10) for _ in range(rng.randint(0, 5))]
        metadata["timestamp"] = rng.randint(1_600_000_000, 1_900_000_000)
    elif message_type == "USER_LEAVE":
        metadata["reason"] = rng.choice(["quit", "disconnected", "timeout", "kicked"])
        metadata["timestamp"] = rng.randint(1_600_000_000, 1_900_000_000)
        metadata["online"] = rng.randint(0, 100)
    elif message_type == "TEXT":
        metadata["sender"] = random_text(rng, 12)
        metadata["timestamp"] = rng.randint(1_600_000_000, 1_900_000_000)
        if rng.random() < 0.5:
            metadata["private"] = True
            metadata["to"] = random_text(rng, 12)
    elif message_type in ("FILE", "FILE_COMPLETE"):
        metadata["transfer_id"] = str(rng.randint(0, 99))
        metadata["size"] = random_int(rng)
        if message_type == "FILE_COMPLETE":
            metadata["sha256"] = "".join(rng.choice("0123456789abcdef") for _ in range(64))
    elif message_type == "FILE_DATA":
        metadata["transfer_id"] = random_text(rng, 6)
        metadata["index"] = rng.randint(0, 10_000)
    else:
        metadata["code"] = rng.choice(["bad_json", "bad_utf8", "name_taken", "unknown_user"])
    # Extra keys a later version might add: nested objects, lists, nulls.
    for _ in range(rng.randint(0, 2)):
        metadata[random_text(rng, 8)] = random_value(rng, 3)
    return metadata


def random_envelope(rng):
    message_type = rng.choice(MESSAGE_TYPES)
    if message_type == "FILE_DATA" and rng.random() < 0.7:
        data = random_base64(rng, rng.randint(0, 200))
    else:
        data = random_text(rng, 60)
    return {"type": message_type, "data": data, "metadata": random_metadata(rng, message_type)}


def random_shape(rng):
    """Other shapes: arrays, scalars, objects in another key order."""
    kind = rng.random()
    if kind < 0.3:
        return random_value(rng, 4)
    if kind < 0.5:
        return [random_envelope(rng) for _ in range(rng.randint(0, 3))]
    if kind < 0.7:
        return random_scalar(rng)
    envelope = random_envelope(rng)
    keys = list(envelope)
    rng.shuffle(keys)
    return {key: envelope[key] for key in keys}


WHITESPACE = [" ", "\t", "\n", "\r", "\r\n", "  ", ""]


def messy_string(rng, text):
    """A JSON string literal whose characters are escaped at random."""
    out = ['"']
    for c in text:
        code = ord(c)
        must_escape = c in '"\\' or code < 0x20
        if must_escape or rng.random() < 0.25:
            short = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r",
                     "\t": "\\t", "\b": "\\b", "\f": "\\f", "/": "\\/"}
            if c in short and rng.random() < 0.7:
                out.append(short[c])
                continue
            hex_format = "\\u{:04x}" if rng.random() < 0.5 else "\\u{:04X}"
            if code > 0xFFFF:
                code -= 0x10000
                out.append(hex_format.format(0xD800 + (code >> 10)))
                out.append(hex_format.format(0xDC00 + (code & 0x3FF)))
            else:
                out.append(hex_format.format(code))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def messy_dumps(rng, value):
    """JSON text with random whitespace between tokens and random escaping."""
    def ws():
        return rng.choice(WHITESPACE)

    if isinstance(value, dict):
        if not value:
            return "{" + ws() + "}"
        members = [ws() + messy_string(rng, key) + ws() + ":" + ws() + messy_dumps(rng, item) + ws()
                   for key, item in value.items()]
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        if not value:
            return "[" + ws() + "]"
        return "[" + ",".join(ws() + messy_dumps(rng, item) + ws() for item in value) + "]"
    if isinstance(value, str):
        return messy_string(rng, value)
    return json.dumps(value)


def input_text(rng, value):
    """The value as JSON text, in a randomly chosen style."""
    style = rng.randrange(7)
    if style == 0:
        return json.dumps(value)
    if style == 1:
        return json.dumps(value, ensure_ascii=False)
    if style == 2:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if style == 3:
        return json.dumps(value, ensure_ascii=False, indent=2)
    if style == 4:
        return json.dumps(value, indent="\t", separators=(",", " : "))
    if style == 5:
        return " \r\n" + json.dumps(value, ensure_ascii=False) + "\n"
    return messy_dumps(rng, value)


def fixed_values():
    """Values that pin one case each, so coverage never depends on luck."""
    values = []
    # Every control character, DEL, and each short escape, on its own.
    for code in list(range(0x20)) + [0x7F]:
        values.append({"type": "TEXT", "data": "<" + chr(code) + ">", "metadata": {}})
    for c in ['"', "\\", "/", "'"]:
        values.append({"type": "TEXT", "data": c, "metadata": {"sender": c}})
    values += [
        {"type": "TEXT", "data": "", "metadata": {}},
        {"type": "TEXT", "data": "all printable: " + "".join(PRINTABLE), "metadata": {}},
        {"type": "TEXT", "data": "é\u0080\u07ff\u0800\uffff", "metadata": {"to": "ü"}},
        {"type": "TEXT", "data": "你好，世界！", "metadata": {"sender": "小明", "timestamp": 1700000000}},
        {"type": "TEXT", "data": "😀 \U00010000 \U0010FFFF", "metadata": {"private": True, "to": "🙂"}},
        {"type": "USER_JOIN", "data": "李雷", "metadata": {"self": True, "users": ["韩梅梅", "李雷"], "timestamp": 1}},
        {"type": "FILE", "data": "报告.pdf", "metadata": {"transfer_id": "1", "size": 2**64, "to": "bob"}},
        {"type": "ERROR", "data": "name taken", "metadata": {"code": "name_taken", "transfer_id": None}},
        {"": "", "a": {"b": {"c": {"d": [[[[]]]], "e": {}}}}},
        {"big": [2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**64) - 1, 10**40, -(10**40), 0]},
        {"flags": [True, False, None], "empty_list": [], "empty_object": {}},
        [], {}, "", 0, -1, True, False, None, "plain", [None], [[], {}],
        "😀", "\x7f\x00\x1f", 12345678901234567890123456789012345678901234567890,
    ]
    return values


# Texts written by hand: things json.dumps never writes but a peer may send.
HAND_WRITTEN = [
    '{"a": 1, "b": 2, "a": 3}',                       # repeated key: last value, first position
    '{"a":1,"a":2,"a":{"x":1,"x":[]}}',
    '{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k3":"again","k0":null}',
    '"\\/\\/"',                                         # escaped slash
    '"\\u00E9\\u00e9\\u4E2D"',                           # either case of hex
    '"\\uD83D\\uDE00\\ud83d\\ude00"',                   # surrogate pairs, either case
    '"\\u0000\\u001F\\u007F\\u0080"',
    '"\\b\\f\\n\\r\\t\\"\\\\"',
    '{"type":"TEXT","data":"\u4f60\u597d","metadata":{}}',  # raw UTF-8
    '\t\n\r {\t\n\r "type"\t\n\r :\t\n\r "TEXT"\t\n\r ,"data":""\t,"metadata":{ } }\r\n',
    '[1,[2,[3,[4,[5,[6,[7,[8,[9,[10]]]]]]]]]]',
    '{"type": "TEXT", "data": "\x7f raw DEL", "metadata": {}}',
    '["\u2028\u2029", "\ufeff"]',
    ' null ',
    '[-9223372036854775809, 18446744073709551616]',
]


def main():
    rng = random.Random(SEED)
    vectors = []
    values = fixed_values()
    values += [random_envelope(rng) for _ in range(160)]
    values += [random_shape(rng) for _ in range(60)]
    for value in values:
        text = input_text(rng, value)
        assert json.loads(text) == value, text  # every style reads back the same
        vectors.append(text)
    vectors += HAND_WRITTEN

    lines = []
    for text in vectors:
        expected = json.dumps(json.loads(text))
        lines.append(json.dumps([text, expected]))
    with open(OUTPUT, "w", encoding="ascii", newline="\n") as out:
        out.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} vectors to {OUTPUT}")


if __name__ == "__main__":
    main()
