"""Drives a Herald registry with access control on, with Confluent's Python
client (confluent-kafka): HTTP Basic (`basic.auth.user.info`) and a static
bearer token (`bearer.auth.*`), each registering a schema and round-tripping
a message through the Avro serializer and deserializer.

Usage: python check_auth.py URL WRITER:PASSWORD READER:PASSWORD TOKEN

The token must grant writer rights on the subject `bearer-orders-value`.
Prints one line per check and "N passed, N failed"; exits 1 on a failure.
"""

import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from check_registry import expect_error, run

ORDER = {
    "type": "record",
    "name": "Order",
    "namespace": "com.acme",
    "fields": [{"name": "id", "type": "long"}, {"name": "customer", "type": "string"}],
}


def round_trip(config, topic):
    """Registers ORDER through the serializer, then reads the message back
    with a fresh client (no cache): the id must resolve on the registry."""
    serializer = AvroSerializer(SchemaRegistryClient(config), json.dumps(ORDER))
    context = SerializationContext(topic, MessageField.VALUE)
    message = {"id": 7, "customer": "ada"}
    data = serializer(message, context)
    assert data[0] == 0, "the Confluent wire format's magic byte"
    deserializer = AvroDeserializer(SchemaRegistryClient(config))
    assert deserializer(data, context) == message


def main(url, writer, reader, token):
    basic = {"url": url, "basic.auth.user.info": writer}
    bearer = {
        "url": url,
        "bearer.auth.credentials.source": "STATIC_TOKEN",
        "bearer.auth.token": token,
        "bearer.auth.logical.cluster": "lsrc-herald",
        "bearer.auth.identity.pool.id": "pool-herald",
    }
    reading = {"url": url, "basic.auth.user.info": reader}
    schema = Schema(json.dumps(ORDER), "AVRO", [])
    checks = [
        ("basic auth: serializer registers, deserializer reads", lambda: round_trip(basic, "basic-orders")),
        ("bearer token: serializer registers, deserializer reads", lambda: round_trip(bearer, "bearer-orders")),
        (
            "no credentials: 401 / 40101",
            lambda: expect_error(
                lambda: SchemaRegistryClient({"url": url}).register_schema("x-value", schema), 401, 40101
            ),
        ),
        (
            "a reader may not register: 403 / 40301",
            lambda: expect_error(
                lambda: SchemaRegistryClient(reading).register_schema("x-value", schema), 403, 40301
            ),
        ),
        (
            "a reader reads what the writer registered",
            lambda: SchemaRegistryClient(reading).get_latest_version("basic-orders-value"),
        ),
    ]
    return run(checks)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
