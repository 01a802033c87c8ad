// JavaHttp.java: Java's own HTTP clients, one GET each way (eval rows
// java_httpclient and java_urlconnection): argv[0] picks which.
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

public class JavaHttp {
	public static void main(String[] a) throws Exception {
		String url = "http://" + a[1] + "/some/path?q=1";
		try {
			if (a[0].equals("client")) {
				HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
				c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
					   HttpResponse.BodyHandlers.discarding());
			} else {
				java.net.HttpURLConnection u = (java.net.HttpURLConnection) new URL(url).openConnection();
				u.setConnectTimeout(3000);
				u.setReadTimeout(3000);
				u.getResponseCode();
			}
		} catch (Exception e) {
			System.exit(1);
		}
	}
}
