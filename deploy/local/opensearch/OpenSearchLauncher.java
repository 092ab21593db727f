import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.Version;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs an embedded OpenSearch node for the local stack (no distribution, no Docker): one node alone, or one node of
 * a small local cluster (stack.seeds lists every node's transport address; stack.manager names the only
 * cluster-manager-eligible node, which bootstraps the cluster).
 * Plugins that a distribution would load from modules/ are put on the classpath instead.
 */
public class OpenSearchLauncher {

    /** Node's constructor that accepts classpath plugins is protected, so expose it here. */
    static final class LocalNode extends Node {
        LocalNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
            super(env, plugins, true); // true = forbid private index settings, as in production
        }
    }

    public static void main(String[] args) throws Exception {
        Path home = Paths.get(System.getProperty("stack.home", ".stack/opensearch")).toAbsolutePath();
        String host = System.getProperty("stack.host", "127.0.0.1");
        String port = System.getProperty("stack.port", "9200");
        String transportPort = System.getProperty("stack.transport.port", "9300");
        // Nodes of one local cluster share their ports on different loopback addresses: the name says both.
        String nodeName = System.getProperty("stack.node.name", "local-" + host + "-" + port);
        String seeds = System.getProperty("stack.seeds", "").trim(); // empty: a node alone
        String manager = System.getProperty("stack.manager", nodeName);
        int replicas = Integer.parseInt(System.getProperty("stack.replicas", "0"));
        boolean alone = seeds.isEmpty();
        boolean isManager = alone || manager.equals(nodeName);

        Settings.Builder discovery = Settings.builder();
        if (alone) {
            // one node that elects itself: no seed hosts or initial cluster-manager list needed
            discovery.put("discovery.type", "single-node");
        } else if (isManager) {
            // the cluster's only cluster-manager-eligible node: it bootstraps the cluster by itself, so the others
            // may start before or after it; with two eligible nodes the voting configuration would hold just one,
            // and losing that one would stop every write
            discovery.putList("discovery.seed_hosts", seeds.split(","));
            discovery.putList("cluster.initial_cluster_manager_nodes", manager);
        } else {
            // a data node: it finds the cluster manager through the seeds and joins once it has elected itself
            discovery.putList("discovery.seed_hosts", seeds.split(","));
            discovery.putList("node.roles", "data", "ingest");
        }

        Settings settings = Settings.builder()
            .put("cluster.name", "streaming-local")
            .put("node.name", nodeName)
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", host)
            .put("http.port", port)
            .put("transport.port", transportPort)
            .put(discovery.build())
            // the transport and HTTP implementations come from the netty4 plugin on the classpath
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            // ES/OpenSearch default, stated so clients may index into indices that do not exist yet
            .put("action.auto_create_index", true)
            // a nearly full dev disk must not flip indices to read-only
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();

        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir"))); // jvm.options points it under home
        Environment env = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), home.resolve("config"), () -> nodeName);

        PrintStream stdout = System.out, stderr = System.err; // LogConfigurator redirects both into log4j
        // Reads <home>/config/log4j2.properties (as the real bootstrap does); without it log4j is unconfigured.
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(env);

        Node node;
        try {
            node = new LocalNode(env, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class));
        } catch (Exception e) { // e.g. data dir locked by another node
            fail(stderr, e);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);

        // SIGTERM/SIGINT: close the node (flushes and releases the data dir lock), then flush logs.
        // log4j's own shutdown hook is disabled in jvm.options so logging still works during close.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace(stderr);
            } finally {
                Configurator.shutdown((LoggerContext) LogManager.getContext(false));
                stopped.countDown();
            }
        }, "opensearch-shutdown"));

        try {
            node.start(); // returns once HTTP is bound and the node has joined or elected a cluster manager
            // New indices get as many replicas as the cluster can place (stack.replicas: nodes - 1), so health is
            // green: a single node can never host a replica, two nodes hold a copy each. OpenSearch reads this
            // from persistent cluster settings only (as a node setting it is ignored). The cluster manager sets
            // it; a data node that starts first would wait for one here.
            if (isManager) {
                node.client().admin().cluster().prepareUpdateSettings()
                    .setPersistentSettings(Settings.builder().put("cluster.default_number_of_replicas", replicas)).get();
            }
        } catch (Exception e) { // e.g. port in use
            fail(stderr, e); // exiting runs the shutdown hook, which closes the half-started node
        }
        stdout.println("OpenSearch " + Version.CURRENT + " ready on http://" + host + ":" + port
            + " (transport " + transportPort + ", home " + home + ")");
        stopped.await(); // keep main alive; node threads do the work
    }

    /** Node threads are not daemons, so a failed start must exit explicitly. */
    private static void fail(PrintStream stderr, Exception e) {
        stderr.println("OpenSearch failed to start: " + e);
        e.printStackTrace(stderr);
        System.exit(1);
    }
}
