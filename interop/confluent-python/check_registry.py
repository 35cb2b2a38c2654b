"""Drives a Herald registry with Confluent's Python client (confluent-kafka).

Usage: python check_registry.py http://127.0.0.1:PORT

Every check uses the client's public API the way an application would; the
script prints one line per check and "N passed, N failed", and exits 1 when
any check failed.
"""

import json
import sys
import traceback

from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

ORDER_V1 = {
    "type": "record",
    "name": "Order",
    "namespace": "com.acme",
    "fields": [{"name": "id", "type": "long"}, {"name": "customer", "type": "string"}],
}
ORDER_V2 = {
    **ORDER_V1,
    "fields": ORDER_V1["fields"] + [{"name": "note", "type": ["null", "string"], "default": None}],
}
ORDER_BREAKING = {**ORDER_V1, "fields": ORDER_V1["fields"] + [{"name": "email", "type": "string"}]}
MONEY = {
    "type": "record",
    "name": "Money",
    "namespace": "com.acme",
    "fields": [{"name": "cents", "type": "long"}, {"name": "currency", "type": "string"}],
}
INVOICE = {
    "type": "record",
    "name": "Invoice",
    "namespace": "com.acme",
    "fields": [{"name": "total", "type": "com.acme.Money"}],
}


PAYMENT = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Payment",
    "type": "object",
    "properties": {"id": {"type": "string"}, "cents": {"type": "integer"}},
    "required": ["id", "cents"],
}


def protobuf_classes():
    """Order (importing shop/money.proto and a well-known type) and Money, built from descriptors."""
    field = descriptor_pb2.FieldDescriptorProto
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
    money = descriptor_pb2.FileDescriptorProto(name="shop/money.proto", package="shop", syntax="proto3")
    money_type = money.message_type.add(name="Money")
    money_type.field.add(name="cents", number=1, type=field.TYPE_INT64, label=field.LABEL_OPTIONAL)
    pool.AddSerializedFile(money.SerializeToString())
    order = descriptor_pb2.FileDescriptorProto(
        name="shop/order.proto",
        package="shop",
        syntax="proto3",
        dependency=["shop/money.proto", "google/protobuf/timestamp.proto"],
    )
    order_type = order.message_type.add(name="Order")
    order_type.field.add(name="id", number=1, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    order_type.field.add(
        name="total", number=2, type=field.TYPE_MESSAGE, type_name=".shop.Money", label=field.LABEL_OPTIONAL
    )
    order_type.field.add(
        name="placed_at",
        number=3,
        type=field.TYPE_MESSAGE,
        type_name=".google.protobuf.Timestamp",
        label=field.LABEL_OPTIONAL,
    )
    pool.AddSerializedFile(order.SerializeToString())
    find = lambda name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))  # noqa: E731
    return find("shop.Order"), find("shop.Money")


def avro(schema, references=None):
    return Schema(json.dumps(schema), "AVRO", references or [])


def expect_error(call, status, code):
    try:
        call()
    except SchemaRegistryError as error:
        assert (error.http_status_code, error.error_code) == (status, code), (
            f"expected {status}/{code}, got {error.http_status_code}/{error.error_code}: {error}"
        )
        return
    raise AssertionError(f"expected error {code}, the call succeeded")


def main(url):
    client = SchemaRegistryClient({"url": url})
    fresh = lambda: SchemaRegistryClient({"url": url})  # no client-side cache
    checks, check = checklist()

    @check("schema types")
    def _():
        assert "AVRO" in fresh().get_schema_types()

    @check("register returns ids from 1, idempotently")
    def _():
        assert client.register_schema("orders-value", avro(ORDER_V1)) == 1
        assert fresh().register_schema("orders-value", avro(ORDER_V1)) == 1

    @check("full register response")
    def _():
        registered = fresh().register_schema_full_response("orders-value", avro(ORDER_V1))
        assert (registered.schema_id, registered.version) == (1, 1), registered
        assert registered.guid, registered

    @check("get schema by id and guid")
    def _():
        schema = fresh().get_schema(1)
        assert json.loads(schema.schema_str) == ORDER_V1
        guid = fresh().register_schema_full_response("orders-value", avro(ORDER_V1)).guid
        assert json.loads(fresh().get_schema_by_guid(guid).schema_str) == ORDER_V1

    @check("lookup schema")
    def _():
        found = fresh().lookup_schema("orders-value", avro(ORDER_V1))
        assert (found.schema_id, found.version, found.subject) == (1, 1, "orders-value"), found

    @check("test compatibility against latest and all versions")
    def _():
        assert fresh().test_compatibility("orders-value", avro(ORDER_V2)) is True
        assert fresh().test_compatibility("orders-value", avro(ORDER_BREAKING)) is False
        assert fresh().test_compatibility_all_versions("orders-value", avro(ORDER_V2)) is True

    @check("incompatible registration is 409/40901")
    def _():
        expect_error(lambda: fresh().register_schema("orders-value", avro(ORDER_BREAKING)), 409, 40901)

    @check("evolve, list versions and subjects, get latest and a version")
    def _():
        assert fresh().register_schema("orders-value", avro(ORDER_V2)) == 2
        assert fresh().get_versions("orders-value") == [1, 2]
        assert "orders-value" in fresh().get_subjects()
        latest = fresh().get_latest_version("orders-value")
        assert (latest.version, latest.schema_id) == (2, 2), latest
        first = fresh().get_version("orders-value", 1)
        assert json.loads(first.schema.schema_str) == ORDER_V1
        assert fresh().get_subjects_by_schema_id(2) == ["orders-value"]

    @check("compatibility config, global and per subject")
    def _():
        assert fresh().get_compatibility() == "BACKWARD"
        fresh().set_compatibility("orders-value", "FULL")
        assert fresh().get_compatibility("orders-value") == "FULL"
        fresh().set_compatibility("orders-value", "BACKWARD")

    @check("errors: unknown subject, version, id, invalid schema")
    def _():
        expect_error(lambda: fresh().get_latest_version("no-such-subject"), 404, 40401)
        expect_error(lambda: fresh().get_version("orders-value", 9), 404, 40402)
        expect_error(lambda: fresh().get_schema(999), 404, 40403)
        expect_error(lambda: fresh().register_schema("bad", Schema("{not json", "AVRO")), 422, 42201)

    @check("references")
    def _():
        money_id = fresh().register_schema("money", avro(MONEY))
        ref = SchemaReference("com.acme.Money", "money", 1)
        invoice_id = fresh().register_schema("invoices-value", avro(INVOICE, [ref]))
        fetched = fresh().get_schema(invoice_id)
        assert [(r.name, r.subject, r.version) for r in fetched.references] == [("com.acme.Money", "money", 1)]
        assert fresh().get_referenced_by("money", 1) == [invoice_id], money_id

    @check("Avro serializer and deserializer round trip")
    def _():
        serializer = AvroSerializer(client, json.dumps(ORDER_V2))
        deserializer = AvroDeserializer(fresh())
        context = SerializationContext("payments", MessageField.VALUE)
        order = {"id": 7, "customer": "ada", "note": None}
        payload = serializer(order, context)
        assert payload[0] == 0, payload[:5]
        schema_id = int.from_bytes(payload[1:5], "big")
        assert json.loads(fresh().get_schema(schema_id).schema_str) == ORDER_V2
        assert deserializer(payload, context) == order

    @check("Protobuf serializer registers descriptors, deserializer reads format=serialized")
    def _():
        order_class, money_class = protobuf_classes()
        serializer = ProtobufSerializer(order_class, client, {"use.deprecated.format": False})
        context = SerializationContext("orders-pb", MessageField.VALUE)
        order = order_class(id="o-1", total=money_class(cents=1250))
        order.placed_at.seconds = 1_700_000_000
        payload = serializer(order, context)
        assert payload[0] == 0 and payload[5] == 0, payload[:6]
        latest = fresh().get_latest_version("orders-pb-value")
        assert latest.schema.schema_type == "PROTOBUF", latest
        assert [(r.name, r.subject) for r in latest.schema.references] == [("shop/money.proto", "shop/money.proto")]
        assert "message Order" in latest.schema.schema_str, latest.schema.schema_str
        deserializer = ProtobufDeserializer(order_class, {"use.deprecated.format": False}, fresh())
        assert deserializer(payload, context) == order
        # The same descriptor registered again is idempotent.
        assert ProtobufSerializer(order_class, fresh(), {"use.deprecated.format": False})(order, context) == payload

    @check("JSON Schema serializer validates and registers, deserializer reads back")
    def _():
        serializer = JSONSerializer(json.dumps(PAYMENT), client)
        context = SerializationContext("payments-json", MessageField.VALUE)
        payment = {"id": "p-1", "cents": 1250}
        payload = serializer(payment, context)
        assert payload[0] == 0, payload[:5]
        fetched = fresh().get_schema(int.from_bytes(payload[1:5], "big"))
        assert fetched.schema_type == "JSON", fetched
        assert json.loads(fetched.schema_str) == PAYMENT
        assert JSONDeserializer(None, schema_registry_client=fresh())(payload, context) == payment
        try:
            serializer({"id": 5}, context)
            raise AssertionError("an invalid document was serialized")
        except SerializationError:
            pass
        # STRICT: an optional property added to an open object is refused.
        noted = dict(PAYMENT, properties=dict(PAYMENT["properties"], note={"type": "string"}))
        assert not fresh().test_compatibility("payments-json-value", Schema(json.dumps(noted), "JSON"))
        widened = dict(PAYMENT, properties=dict(PAYMENT["properties"], cents={"type": "number"}))
        assert fresh().test_compatibility("payments-json-value", Schema(json.dumps(widened), "JSON"))

    @check("mode")
    def _():
        assert fresh().get_global_mode() == "READWRITE"
        fresh().update_mode("frozen", "READONLY")
        assert fresh().get_mode("frozen") == "READONLY"
        expect_error(lambda: fresh().register_schema("frozen", avro(MONEY)), 422, 42205)

    @check("soft and permanent delete")
    def _():
        assert fresh().delete_version("orders-value", 2) == 2
        assert fresh().get_versions("orders-value") == [1]
        assert fresh().delete_subject("orders-value") == [1]
        expect_error(lambda: fresh().delete_subject("orders-value"), 404, 40404)
        assert fresh().delete_subject("orders-value", permanent=True) == [1, 2]
        expect_error(lambda: fresh().get_versions("orders-value"), 404, 40401)

    return run(checks)


def checklist():
    """A list of checks and the decorator `@check("name")` that adds the
    decorated function to it."""
    checks = []

    def check(name):
        def register(function):
            checks.append((name, function))
            return function

        return register

    return checks, check


def run(checks):
    """Runs each (name, function) check, reporting every failure; returns the
    exit status (1 when any failed)."""
    passed = failed = 0
    for name, function in checks:
        try:
            function()
            passed += 1
            print(f"ok     {name}")
        except Exception:  # noqa: BLE001 - report every failure, then go on
            failed += 1
            print(f"FAILED {name}")
            traceback.print_exc(file=sys.stdout)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
