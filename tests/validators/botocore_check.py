"""Validates AWS request bodies against botocore's bundled service model: botocore's
own ParamValidator (required members, types, minimums, unknown members), then a walk
over the model for what ParamValidator skips (enum members, maximum lengths, list
sizes and values) and for documented value sets the model leaves as plain strings.

stdin: a JSON list of {"name", "service", "operation", "body"}.
stdout: a JSON object, name -> list of problems (empty when the body is valid)."""
import json
import sys

import botocore
import botocore.session
from botocore.validate import ParamValidator

# Value sets the API reference documents but the model types as plain strings.
DOCUMENTED = {
    ("cloudwatch", "PutMetricAlarm", "TreatMissingData"): ["breaching", "notBreaching", "ignore", "missing"],
}


def walk(shape, value, path, problems):
    kind = shape.type_name
    limit = shape.metadata.get("max")
    if kind == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                walk(shape.members[key], item, f"{path}.{key}", problems)
    elif kind == "list" and isinstance(value, list):
        if limit is not None and len(value) > limit:
            problems.append(f"{path}: {len(value)} items, at most {limit}")
        for i, item in enumerate(value):
            walk(shape.member, item, f"{path}[{i}]", problems)
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            walk(shape.value, item, f"{path}.{key}", problems)
    elif kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
        if limit is not None and len(value) > limit:
            problems.append(f"{path}: {len(value)} characters, at most {limit}")
    elif kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)):
        if limit is not None and value > limit:
            problems.append(f"{path}: {value} is above {limit}")


def main():
    session = botocore.session.get_session()
    out = {}
    for item in json.load(sys.stdin):
        operation = session.get_service_model(item["service"]).operation_model(item["operation"])
        body = item["body"]
        problems = []
        report = ParamValidator().validate(body, operation.input_shape)
        if report.has_errors():
            problems.extend(line.strip() for line in report.generate_report().splitlines() if line.strip())
        walk(operation.input_shape, body, "", problems)
        for (service, name, member), allowed in DOCUMENTED.items():
            if service == item["service"] and name == item["operation"] and member in body and body[member] not in allowed:
                problems.append(f".{member}: {body[member]!r} is not one of {allowed}")
        out[item["name"]] = problems
    json.dump({"botocore": botocore.__version__, "results": out}, sys.stdout)


main()
