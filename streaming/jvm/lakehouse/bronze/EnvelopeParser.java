package lakehouse.bronze;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.json.JsonToStructsEvaluator;
import org.apache.spark.sql.catalyst.json.JSONOptions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Option;
import scala.collection.immutable.Map;
import scala.collection.immutable.Map$;

/**
 * The bronze envelope parse: the same result as Spark's
 * {@code from_json(CAST(value AS STRING), SCHEMA, map('columnNameOfCorruptRecord', '_corrupt_record'))},
 * about twice as fast.
 *
 * <p>Why: {@code from_json} wraps every record in an {@code InputStreamReader} (an 8 KiB buffer
 * allocated per record, then decoded to chars) and converts each field through general-purpose
 * closures; it was a third of the Spark tasks' CPU in bronze ingestion (docs/benchmarks.md).
 *
 * <p>How it stays exact: a fast path reads the UTF-8 bytes with Jackson, configured as Spark
 * configures it, and only answers for the usual shape of a good record (an object whose five
 * envelope fields have the expected JSON types, each text field plain ASCII, no field twice).
 * For those, Spark's parse gives the same values by construction. Every other record (a dead
 * letter, or an unusual but valid one) is parsed by Spark's own evaluator, so its result is
 * Spark's.
 */
public final class EnvelopeParser implements UDF1<byte[], Row> {
  private static final long serialVersionUID = 1L;

  /** Must equal streaming.bronze.schemas.ENVELOPE_SCHEMA (a unit test compares them). */
  public static final String SCHEMA =
      "id STRING, type STRING, event_time STRING, schema_version INT, payload STRUCT<>, "
          + "_corrupt_record STRING";

  private static final String CORRUPT = "_corrupt_record";
  private static final Row EMPTY = RowFactory.create();

  private transient JsonFactory factory;
  private transient JsonToStructsEvaluator spark;

  @Override
  public Row call(byte[] value) {
    if (value == null) {
      return null;
    }
    Row fast = fastPath(value);
    return fast != null ? fast : toRow(spark.evaluate(UTF8String.fromBytes(value)));
  }

  @SuppressWarnings("unchecked") // Scala's Map.updated, seen from Java
  private void init() {
    Map<String, String> options =
        (Map<String, String>)
            Map$.MODULE$.<String, String>empty().updated("columnNameOfCorruptRecord", CORRUPT);
    DataType schema = StructType.fromDDL(SCHEMA).asNullable();
    factory = new JSONOptions(options, "UTC", CORRUPT).buildJsonFactory();
    spark = JsonToStructsEvaluator.apply(options, schema, CORRUPT, Option.apply("UTC"), false);
  }

  /** The parse of a record of the usual shape, or null to leave the record to Spark. */
  public Row fastPath(byte[] value) {
    if (factory == null) {
      init();
    }
    // '{' and a non-zero byte: Jackson reads the bytes as UTF-8 (zero bytes up front would make
    // it guess UTF-16 or UTF-32; Spark always decodes UTF-8).
    if (value.length < 2 || value[0] != '{' || value[1] == 0) {
      return null;
    }
    try (JsonParser parser = factory.createParser(value)) {
      parser.nextToken();
      String id = null;
      String type = null;
      String eventTime = null;
      Integer version = null;
      boolean payload = false;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken field = parser.nextToken();
        switch (name) {
          case "id":
            if (id != null || (id = asciiText(parser, field)) == null) {
              return null;
            }
            break;
          case "type":
            if (type != null || (type = asciiText(parser, field)) == null) {
              return null;
            }
            break;
          case "event_time":
            if (eventTime != null || (eventTime = asciiText(parser, field)) == null) {
              return null;
            }
            break;
          case "schema_version":
            if (version != null
                || field != JsonToken.VALUE_NUMBER_INT
                || parser.getNumberType() != JsonParser.NumberType.INT) {
              return null;
            }
            version = parser.getIntValue();
            break;
          case "payload":
            if (payload || field != JsonToken.START_OBJECT) {
              return null;
            }
            payload = true;
            parser.skipChildren();
            break;
          default:
            if (resembles(name)) {
              return null;
            }
            parser.skipChildren();
        }
      }
      if (token != JsonToken.END_OBJECT
          || id == null
          || type == null
          || eventTime == null
          || version == null
          || !payload) {
        return null;
      }
      // Like Spark, what follows the object is not read.
      return RowFactory.create(id, type, eventTime, version, EMPTY, null);
    } catch (IOException | RuntimeException e) {
      return null; // not JSON as Jackson reads bytes: Spark decides (and says why)
    }
  }

  /** A field Spark might map to a schema field (or to the corrupt-record column). */
  private static boolean resembles(String name) {
    return name.equalsIgnoreCase("id")
        || name.equalsIgnoreCase("type")
        || name.equalsIgnoreCase("event_time")
        || name.equalsIgnoreCase("schema_version")
        || name.equalsIgnoreCase("payload")
        || name.equalsIgnoreCase(CORRUPT);
  }

  /** A JSON string of ASCII characters, or null (other tokens and texts are Spark's to render). */
  private static String asciiText(JsonParser parser, JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_STRING) {
      return null;
    }
    String text = parser.getText();
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 0x7F) {
        return null;
      }
    }
    return text;
  }

  private static Row toRow(Object parsed) {
    if (parsed == null) {
      return null;
    }
    InternalRow row = (InternalRow) parsed;
    return RowFactory.create(
        text(row, 0),
        text(row, 1),
        text(row, 2),
        row.isNullAt(3) ? null : row.getInt(3),
        row.isNullAt(4) ? null : EMPTY,
        text(row, 5));
  }

  private static String text(InternalRow row, int ordinal) {
    return row.isNullAt(ordinal) ? null : row.getUTF8String(ordinal).toString();
  }
}
