"""Herald's typed Kafka events against Confluent's Python client (confluent-kafka).

Usage: python kafka_interop.py BOOTSTRAP REGISTRY_URL

Reads the order (Avro, topic `orders`) and the shipment (Protobuf, topic
`shipments`) that a generated Herald producer wrote, with Confluent's
AvroDeserializer and ProtobufDeserializer; then writes an order with
Confluent's AvroSerializer (plus the CloudEvents headers of the Kafka
binding, `ce_id` at least) to `orders-from-python`, for a generated Herald
consumer to read. Prints one line per check and "N passed, N failed"; exits
1 when any check failed.
"""

import base64
import sys
import traceback
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

BOOTSTRAP, REGISTRY = sys.argv[1], sys.argv[2]
client = SchemaRegistryClient({"url": REGISTRY})
results = []


def check(name):
    def run(body):
        try:
            body()
            results.append(True)
            print(f"ok   {name}")
        except Exception:  # noqa: BLE001 - every failure is reported
            results.append(False)
            print(f"FAIL {name}")
            traceback.print_exc()

    return run


def first_record(topic):
    consumer = Consumer(
        {"bootstrap.servers": BOOTSTRAP, "group.id": f"python-{topic}", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    try:
        for _ in range(60):
            record = consumer.poll(1.0)
            if record is not None and record.error() is None:
                return record
        raise AssertionError(f"no record on {topic}")
    finally:
        consumer.close()


@check("AvroDeserializer reads the order a Herald producer wrote")
def _():
    record = first_record("orders")
    order = AvroDeserializer(client)(record.value(), SerializationContext("orders", MessageField.VALUE))
    assert order["id"] == "o-1", order
    assert order["lines"] == [{"sku": "sku-1", "quantity": 2}], order
    assert order["state"] == "PLACED", order
    headers = dict(record.headers())
    assert headers["ce_type"] == b"orders-value", headers
    assert "ce_id" in headers, headers
    assert record.key() == b"c-7", record.key()


@check("ProtobufDeserializer reads the shipment a Herald producer wrote")
def _():
    registered = client.get_latest_version("shipments-value", fmt="serialized")
    file = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(registered.schema.schema_str))
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
    pool.Add(file)
    shipment_type = message_factory.GetMessageClass(pool.FindMessageTypeByName("shop.shipping.Shipment"))
    deserializer = ProtobufDeserializer(shipment_type, {"use.deprecated.format": False})
    record = first_record("shipments")
    shipment = deserializer(record.value(), SerializationContext("shipments", MessageField.VALUE))
    assert shipment.order_id == "o-1", shipment
    assert list(shipment.parcels) == ["p-1"], shipment


@check("AvroSerializer writes an order for a Herald consumer")
def _():
    schema = client.get_latest_version("orders-value").schema
    serializer = AvroSerializer(
        client,
        schema.schema_str,
        conf={
            "auto.register.schemas": False,
            "use.latest.version": True,
            "subject.name.strategy": lambda ctx, record_name: "orders-value",
        },
    )
    order = {
        "id": "o-py",
        "customerId": "c-py",
        "placedAt": 1_700_000_000_000,
        "lines": [{"sku": "sku-9", "quantity": 3}],
        "state": "PAID",
        "note": "from python",
        "reference": str(uuid.uuid4()),
        "signature": None,
        "priority": "gold",
    }
    value = serializer(order, SerializationContext("orders-from-python", MessageField.VALUE))
    producer = Producer({"bootstrap.servers": BOOTSTRAP})
    headers = [
        ("ce_specversion", "1.0"),
        ("ce_id", str(uuid.uuid4())),
        ("ce_source", "/python-checkout"),
        ("ce_type", "orders-value"),
        ("ce_subject", "c-py"),
    ]
    producer.produce("orders-from-python", value=value, key="c-py", headers=headers)
    assert producer.flush(30) == 0, "delivered"


passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if all(results) else 1)
