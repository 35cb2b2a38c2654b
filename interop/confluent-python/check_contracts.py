"""Drives Herald's data contracts with Confluent's Python client.

Usage: python check_contracts.py http://127.0.0.1:PORT

A serializer configured with `use.latest.with.metadata` finds the version
whose metadata matches, and the rule executors registered with it receive
that version's rule set (a transform rule rewrites the record before it is
written; the deserializer reads the rewritten record); a CEL condition
stored in Herald is run by Confluent's own CEL executor. Prints one line per
check and "N passed, N failed"; exits 1 when any check failed.
"""

import sys

from confluent_kafka.schema_registry import (
    Metadata,
    MetadataProperties,
    Rule,
    RuleKind,
    RuleMode,
    RuleParams,
    RuleSet,
    Schema,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.rule_registry import RuleRegistry
from confluent_kafka.schema_registry.rules.cel.cel_executor import CelExecutor
from confluent_kafka.schema_registry.serde import RuleExecutor
from confluent_kafka.serialization import (
    MessageField,
    SerializationContext,
    SerializationError,
)

from check_registry import checklist, run

ORDER_V1 = """{"type":"record","name":"Order","namespace":"com.acme",
"fields":[{"name":"id","type":"long"},{"name":"note","type":"string"}]}"""
ORDER_V2 = """{"type":"record","name":"Order","namespace":"com.acme",
"fields":[{"name":"id","type":"long"},{"name":"note","type":"string"},
{"name":"extra","type":["null","string"],"default":null}]}"""


class Stamp(RuleExecutor):
    """A transform rule: writes the rule's `stamp` parameter into `note`,
    and remembers which rules it ran."""

    def __init__(self):
        self.ran = []

    def type(self):
        return "STAMP"

    def transform(self, ctx, message):
        self.ran.append(ctx.rule.name)
        return {**message, "note": ctx.rule.params.params["stamp"]}


def contract(major, stamp):
    return (
        Metadata(None, MetadataProperties({"app": "shop", "major": major}), None),
        RuleSet(
            None,
            [
                Rule(
                    "stamp-" + major,
                    None,
                    RuleKind.TRANSFORM,
                    RuleMode.WRITE,
                    "STAMP",
                    None,
                    RuleParams({"stamp": stamp}),
                    None,
                    None,
                    None,
                    False,
                )
            ],
        ),
    )


def main(url):
    client = SchemaRegistryClient({"url": url})
    checks, check = checklist()

    @check("a schema with metadata and a rule set is stored and read back")
    def _():
        metadata, rules = contract("1", "written by v1 rules")
        first = client.register_schema_full_response(
            "contracts-value", Schema(ORDER_V1, "AVRO", [], metadata, rules)
        )
        assert first.version == 1, first
        metadata, rules = contract("2", "written by v2 rules")
        second = client.register_schema_full_response(
            "contracts-value", Schema(ORDER_V2, "AVRO", [], metadata, rules)
        )
        assert second.version == 2, second
        latest = SchemaRegistryClient({"url": url}).get_latest_version("contracts-value")
        assert latest.schema.rule_set.domain_rules[0].name == "stamp-2", latest.schema.rule_set
        assert latest.schema.metadata.properties.properties["major"] == "2", latest.schema.metadata

    @check("get_latest_with_metadata finds the matching version")
    def _():
        found = SchemaRegistryClient({"url": url}).get_latest_with_metadata(
            "contracts-value", {"major": "1"}
        )
        assert found.version == 1, found
        stamp = found.schema.rule_set.domain_rules[0].params.params["stamp"]
        assert stamp == "written by v1 rules", found.schema.rule_set

    @check("use.latest.with.metadata: the executors receive that version's rules")
    def _():
        stamp = Stamp()
        rules = RuleRegistry()
        rules.register_executor(stamp)
        serializer = AvroSerializer(
            client,
            conf={"auto.register.schemas": False, "use.latest.with.metadata": {"major": "1"}},
            rule_registry=rules,
        )
        context = SerializationContext("contracts", MessageField.VALUE)
        payload = serializer({"id": 7, "note": "as sent"}, context)
        assert stamp.ran == ["stamp-1"], stamp.ran
        v1_id = client.get_latest_with_metadata("contracts-value", {"major": "1"}).schema_id
        assert int.from_bytes(payload[1:5], "big") == v1_id, payload[:5]
        deserializer = AvroDeserializer(client, rule_registry=rules)
        record = deserializer(payload, context)
        assert record == {"id": 7, "note": "written by v1 rules"}, record

    @check("a CEL condition stored in Herald is enforced by Confluent's CEL executor")
    def _():
        positive = Rule(
            "positive-id",
            "ids are positive",
            RuleKind.CONDITION,
            RuleMode.WRITE,
            "CEL",
            None,
            None,
            "message.id > 0",
            None,
            None,
            False,
        )
        client.register_schema(
            "cel-value", Schema(ORDER_V1, "AVRO", [], None, RuleSet(None, [positive]))
        )
        stored = client.get_latest_version("cel-value").schema.rule_set.domain_rules[0]
        assert (stored.name, stored.expr) == ("positive-id", "message.id > 0"), stored
        rules = RuleRegistry()
        rules.register_executor(CelExecutor())
        serializer = AvroSerializer(
            client,
            conf={"auto.register.schemas": False, "use.latest.version": True},
            rule_registry=rules,
        )
        context = SerializationContext("cel", MessageField.VALUE)
        written = serializer({"id": 7, "note": "fine"}, context)
        deserializer = AvroDeserializer(client, rule_registry=rules)
        assert deserializer(written, context) == {"id": 7, "note": "fine"}
        try:
            serializer({"id": -1, "note": "refused"}, context)
        except SerializationError as refused:
            # The executor's RuleConditionError, worded by the rule's doc.
            assert str(refused.__cause__) == "ids are positive", repr(refused.__cause__)
        else:
            raise AssertionError("a record breaking the CEL condition was written")

    return run(checks)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
