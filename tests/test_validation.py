import jsonschema

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
