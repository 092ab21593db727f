// Runs Neo4j Community in-process (no Docker, no tarball): the DBMS plus its Bolt server.
// Settings come from system properties (see jvm.options), so the orchestrator needs no neo4j.conf:
//   stack.home       server home; data/ and logs/ live under it (required)
//   stack.host       Bolt listen host            (default 127.0.0.1)
//   stack.port       Bolt listen port            (default 7687)
//   stack.pagecache  page cache size, e.g. 512m  (default 512m)
//   stack.txmax      cap on memory of all running transactions, e.g. 512m (default: Neo4j's, 70% of heap)
import java.nio.file.Files;
import java.nio.file.Path;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

public class Neo4jLauncher {
    public static void main(String[] args) throws Exception {
        String homeProp = System.getProperty("stack.home");
        if (homeProp == null || homeProp.isBlank()) {
            System.err.println("Neo4jLauncher: -Dstack.home=<dir> is required");
            System.exit(2);
        }
        Path home = Path.of(homeProp).toAbsolutePath();
        String host = System.getProperty("stack.host", "127.0.0.1");
        int port = Integer.parseInt(System.getProperty("stack.port", "7687"));
        long started = System.nanoTime();
        // jvm.options points java.io.tmpdir/jna.tmpdir here (native libs get unpacked); must exist.
        Files.createDirectories(home.resolve("tmp"));

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                // Bolt is the only way in; plain TCP on loopback is fine for local dev/tests.
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // No browser/HTTP API wanted (and it would need another port).
                .setConfig(HttpConnector.enabled, false)
                // Local use only: drivers connect with neo4j.NoAuth().
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                // Keep the off-heap page cache small and explicit (default is 50% of free RAM).
                .setConfig(GraphDatabaseSettings.pagecache_memory,
                        ByteUnit.parse(System.getProperty("stack.pagecache", "512m")))
                .setConfig(GraphDatabaseSettings.logs_directory, home.resolve("logs"))
                // Throwaway dev data: don't preallocate 256 MiB tx logs per database, rotate small,
                // keep only what recovery needs (default keeps 2 days of logs, unbounded in size).
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(64))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "keep_none")
                // Bolt waits a 5 s Netty "quiet period" twice on shutdown; stop in ~1 s instead.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                // Usage data collection would try to reach the internet.
                .setConfig(GraphDatabaseSettings.udc_enabled, false);
        String txMax = System.getProperty("stack.txmax");
        if (txMax != null && !txMax.isBlank()) {
            // A runaway test query then fails with a memory error instead of an OOM-killed JVM.
            builder.setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, ByteUnit.parse(txMax));
        }

        DatabaseManagementService dbms = builder.build(); // starts system + default database and Bolt

        // SIGTERM/SIGINT run shutdown hooks: flush, checkpoint and release the store lock cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j: shutting down");
            dbms.shutdown();
            System.out.println("neo4j: stopped");
        }, "neo4j-shutdown"));

        // build() may return before the default database is online; wait for it.
        var db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(120_000)) {
            System.err.println("neo4j: default database did not become available");
            System.exit(1);
        }
        db.executeTransactionally("RETURN 1"); // warm up Cypher so "ready" means queries run
        System.out.printf("neo4j ready bolt://%s:%d home=%s in %d ms%n",
                host, port, home, (System.nanoTime() - started) / 1_000_000);
        Thread.currentThread().join(); // block; the JVM exits via the shutdown hook
    }
}
