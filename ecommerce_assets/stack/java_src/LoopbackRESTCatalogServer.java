package org.apache.iceberg.rest;

import java.lang.reflect.Method;
import org.apache.iceberg.util.PropertyUtil;
import org.eclipse.jetty.compression.gzip.GzipCompression;
import org.eclipse.jetty.compression.server.CompressionHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Same as RESTCatalogServer.start(), but binds to CATALOG_REST_HOST (rest.host, default 127.0.0.1)
 * instead of all interfaces, and without SO_REUSEPORT (so a second instance fails to bind).
 */
public class LoopbackRESTCatalogServer {
  public static void main(String[] args) throws Exception {
    RESTCatalogServer delegate = new RESTCatalogServer();
    Method init = RESTCatalogServer.class.getDeclaredMethod("initializeBackendCatalog");
    init.setAccessible(true);
    RESTCatalogServer.CatalogContext ctx = (RESTCatalogServer.CatalogContext) init.invoke(delegate);

    RESTCatalogServlet servlet = new RESTCatalogServlet(new RESTServerCatalogAdapter(ctx));
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(new ServletHolder(servlet), "/*");
    CompressionHandler compression = new CompressionHandler();
    compression.putCompression(new GzipCompression());
    context.insertHandler(compression);

    int port = PropertyUtil.propertyAsInt(ctx.configuration(), "rest.port", 8181);
    String host = PropertyUtil.propertyAsString(ctx.configuration(), "rest.host", "127.0.0.1");
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(context);
    server.setStopAtShutdown(true);
    server.start();
    server.join();
  }
}
