// Jdbc.java: a legitimate PostgreSQL client through pgJDBC (eval row
// jdbc): argv = host, port, database, user, password.
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

public class Jdbc {
	public static void main(String[] a) throws Exception {
		String url = "jdbc:postgresql://" + a[0] + ":" + a[1] + "/" + a[2];
		try (Connection c = DriverManager.getConnection(url, a[3], a[4]);
			 ResultSet r = c.createStatement().executeQuery("SELECT 1")) {
			r.next();
		}
	}
}
