import java.nio.file.Path;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/** Neo4j Community with a Bolt connector on 127.0.0.1, for the test suite: `Neo4jLauncher HOME PORT`. */
public final class Neo4jLauncher {
    public static void main(String[] args) throws InterruptedException {
        Path home = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024)
                // keep-alive NOOPs only while streaming: with ALL, Neo4j's default, the server sends the hint
                // connection.recv_timeout_seconds, and the Python driver then wraps every read in a timer
                .setConfig(BoltConnector.connection_keep_alive_type, BoltConnector.KeepAliveRequestType.STREAMING)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(service::shutdown));
        service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        System.out.println("STARTED " + port);
        System.out.flush();
        Thread.currentThread().join();
    }
}
