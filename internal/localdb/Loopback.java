// Loopback starts DynamoDB Local bound to 127.0.0.1 only. DynamoDB Local has
// no bind option of its own (its Jetty server listens on every interface), so
// this launcher builds the server from the usual command line, as
// DynamoDBLocal.jar's main does, and sets the host of its connectors before
// starting it. The package is pinned (internal/localdb/package.go), so the
// private field it reaches into is the one of that release.
import java.lang.reflect.Field;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class Loopback {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector c : server.getConnectors()) {
      ((ServerConnector) c).setHost("127.0.0.1");
    }
    proxy.start();
    System.out.println("DynamoDB Local listens on 127.0.0.1 only");
  }
}
