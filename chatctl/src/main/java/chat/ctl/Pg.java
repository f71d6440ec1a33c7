package chat.ctl;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** JDBC URL surgery and database administration on the server of a shard. */
final class Pg {
    private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/]+/)([^?]+)(\\?.*)?");
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private Pg() {
    }

    static String database(final String url) {
        return parts(url).group(2);
    }

    static String withDatabase(final String url, final String database) {
        final Matcher m = parts(url);
        return m.group(1) + database + (m.group(3) == null ? "" : m.group(3));
    }

    private static Matcher parts(final String url) {
        final Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new CtlException("not a jdbc:postgresql://host:port/database URL: " + url);
        }
        return m;
    }

    static Connection open(final String url, final String user, final String password) {
        try {
            return DriverManager.getConnection(url, user, password);
        } catch (SQLException e) {
            throw new CtlException("cannot connect to " + url + " as " + user + ": " + e.getMessage(), e);
        }
    }

    static boolean exists(final String serverUrl, final String database, final String user, final String password) {
        try (Connection c = open(withDatabase(serverUrl, "postgres"), user, password);
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new CtlException("cannot list databases on " + serverUrl + ": " + e.getMessage(), e);
        }
    }

    static void create(final String serverUrl, final String database, final String user, final String password) {
        admin(serverUrl, "CREATE DATABASE " + checked(database), user, password);
    }

    static void drop(final String serverUrl, final String database, final String user, final String password) {
        admin(serverUrl, "DROP DATABASE IF EXISTS " + checked(database) + " WITH (FORCE)", user, password);
    }

    private static void admin(final String serverUrl, final String sql, final String user, final String password) {
        try (Connection c = open(withDatabase(serverUrl, "postgres"), user, password); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new CtlException(sql + " failed on " + serverUrl + ": " + e.getMessage(), e);
        }
    }

    private static String checked(final String database) {
        if (!NAME.matcher(database).matches()) {
            throw new CtlException("database name must match " + NAME.pattern() + ", got '" + database + "'");
        }
        return database;
    }
}
