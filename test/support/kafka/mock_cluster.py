# Starts librdkafka's mock Kafka cluster (real wire protocol) and serves topic commands on stdin.
#
# Protocol (one command per line on stdin, one reply line on stdout):
#   startup            -> "ready <bootstrap servers>"
#   create <topic> <n> -> "ok" | "error <code>"
#   errors <apikey> <count> <code> -> "ok": the next <count> requests of that API fail with <code>
#   clear <apikey>     -> "ok": drops the injected errors left for that API
#   quit / EOF         -> the cluster is destroyed and the process exits
import ctypes
import ctypes.util
import sys

RD_KAFKA_PRODUCER = 0


def load():
    for name in ("librdkafka.so.1", ctypes.util.find_library("rdkafka")):
        if not name:
            continue
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    sys.stdout.write("error librdkafka not found\n")
    sys.stdout.flush()
    sys.exit(3)


def main():
    brokers = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    lib = load()
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_topic_create.restype = ctypes.c_int
    lib.rd_kafka_mock_topic_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
    lib.rd_kafka_mock_push_request_errors_array.argtypes = [ctypes.c_void_p, ctypes.c_int16, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int)]
    lib.rd_kafka_mock_clear_request_errors.argtypes = [ctypes.c_void_p, ctypes.c_int16]
    lib.rd_kafka_mock_cluster_destroy.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_destroy.argtypes = [ctypes.c_void_p]

    errstr = ctypes.create_string_buffer(512)
    conf = lib.rd_kafka_conf_new()
    # The handle only hosts the mock cluster's thread; keep it quiet.
    lib.rd_kafka_conf_set(conf, b"log_level", b"0", errstr, 512)
    rk = lib.rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, 512)
    if not rk:
        sys.stdout.write("error " + errstr.value.decode() + "\n")
        sys.stdout.flush()
        sys.exit(4)
    cluster = lib.rd_kafka_mock_cluster_new(rk, brokers)
    if not cluster:
        sys.stdout.write("error mock cluster not created\n")
        sys.stdout.flush()
        sys.exit(5)
    sys.stdout.write("ready " + lib.rd_kafka_mock_cluster_bootstraps(cluster).decode() + "\n")
    sys.stdout.flush()

    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        if parts[0] == "create" and len(parts) == 3:
            err = lib.rd_kafka_mock_topic_create(cluster, parts[1].encode(), int(parts[2]), 1)
            sys.stdout.write("ok\n" if err == 0 else "error %d\n" % err)
        elif parts[0] == "errors" and len(parts) == 4:
            cnt = int(parts[2])
            codes = (ctypes.c_int * cnt)(*([int(parts[3])] * cnt))
            lib.rd_kafka_mock_push_request_errors_array(cluster, int(parts[1]), cnt, codes)
            sys.stdout.write("ok\n")
        elif parts[0] == "clear" and len(parts) == 2:
            lib.rd_kafka_mock_clear_request_errors(cluster, int(parts[1]))
            sys.stdout.write("ok\n")
        else:
            sys.stdout.write("error unknown command\n")
        sys.stdout.flush()

    lib.rd_kafka_mock_cluster_destroy(cluster)
    lib.rd_kafka_destroy(rk)


if __name__ == "__main__":
    main()
