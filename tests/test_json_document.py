"""Export files' JSON is read by msgspec, with the standard library's results and errors."""

from __future__ import annotations

import json

import pytest

from maillage.lib.text import json_document

SAMPLES = [
    b"[123456789012345678901234567890, -1]",  # integers beyond 64 bits stay exact
    b'[{"timestamp": 1732000000, "data": [{"post": "Caf\\u00c3\\u00a9 \\u00f0\\u009f\\u008e"}]}]',
    b'{"orderedItems": [], "orderedItems": [{"type": "Create"}]}',  # a repeated key: the last wins
    b'{"id": "1500000000000000001", "n": -0.5e-3, "big": 9007199254740993, "t": true, "z": null}',
    '{"texte": "Émilie à Québec 🎉 \\ud83c\\udf89"}'.encode(),
    b'\n  [1, 2.5, "deux"]  \n',
]


@pytest.mark.parametrize("data", SAMPLES)
def test_it_reads_what_the_standard_library_reads(data):
    assert json_document(data) == json.loads(data)


@pytest.mark.parametrize(
    "data",
    [
        b'\xef\xbb\xbf{"a": 1}',  # a byte order mark
        b'["\\ud800 alone"]',  # a lone surrogate
        b"[NaN, Infinity]",
        b"[1e400]",
    ],
)
def test_what_msgspec_refuses_and_json_takes_is_read_as_json_reads_it(data):
    result = json_document(data)
    assert json.dumps(result) == json.dumps(json.loads(data))


def test_nul_characters_are_removed_raw_or_escaped():
    assert json_document(b'["a\\u0000b", "c\x00d"]') == ["ab", "cd"]


def test_a_damaged_file_raises_the_standard_error_with_its_line():
    with pytest.raises(json.JSONDecodeError) as raised:
        json_document(b'[\n{"a": 1},\n{"a": 2\n')
    assert raised.value.lineno == 4
    assert type(raised.value) is json.JSONDecodeError


def test_text_that_is_not_utf8_raises_a_decode_error():
    with pytest.raises(UnicodeDecodeError):
        json_document(b'["caf\xe9"]')


def test_nesting_deeper_than_any_export_raises_a_recursion_error():
    with pytest.raises(RecursionError):
        json_document(b"[" * 100_000 + b"]" * 100_000)
