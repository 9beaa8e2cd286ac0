import jsonschema
import pytest

from conftest import EXAMPLES
from pcd_screen.core.validation import schema_errors
from pcd_screen.core.yamlread import load_text

SCHEMA = {
    "type": "object",
    "required": ["a", "b"],
    "additionalProperties": False,
    "properties": {
        "a": {"type": "integer"},
        "b": {"type": "string"},
        "colour": {"enum": ["red", "green"], "x-vocabulary": "colour"},
        "n": {"enum": [0, 1]},
        "either": {
            "description": "true or a mapping",
            "oneOf": [{"type": "boolean"}, {"type": "object"}],
        },
    },
}


def messages(text):
    doc = load_text(text, "f.yaml")
    return [str(e) for e in schema_errors(jsonschema.Draft202012Validator(SCHEMA), doc)]


def test_messages_are_plain_and_located():
    assert messages("colour: rde\nn: '1'\ncolor: red\neither: 3\n") == [
        "f.yaml:1:1: (document): required fields 'a', 'b' are missing",
        "f.yaml:1:1: colour: 'rde' is not a term of the colour vocabulary (did you mean 'red'?)",
        "f.yaml:2:1: n: expected a number, got text '1' (write it without quotes)",
        "f.yaml:3:1: color: unknown field 'color' (did you mean 'colour'?)",
        "f.yaml:4:1: either: expected true or a mapping, got integer 3",
    ]


def test_type_errors_name_what_was_found():
    assert messages("a: x\nb: [1]\n") == [
        "f.yaml:1:1: a: expected an integer, got text 'x'",
        "f.yaml:2:1: b: expected text, got list",
    ]


def test_every_unknown_field_is_reported_at_its_own_line(tmp_path):
    from pcd_screen.core.located import LoadError
    from pcd_screen.inputs.proposal import load_proposal

    source = (EXAMPLES / "sparse-proposal.yaml").read_text(encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(source + "foo: 1\nbar: 2\n", encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        load_proposal(path)
    unknown = [e for e in raised.value.errors if "unknown field" in e.message]
    assert [e.path for e in unknown] == ["foo", "bar"]
    assert unknown[1].line == unknown[0].line + 1
