package chat.dev.it;

import chat.dev.DevStack;
import io.micronaut.web.router.Router;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document served by the app describes exactly the routes of the team API the app has. */
class OpenApiIT {

    @Test
    @SuppressWarnings("unchecked")
    void givenTheServedDocument_thenEveryDocumentedRouteExistsAndEveryTeamRouteIsDocumented() {
        final DevStack stack = TestStack.get();
        final Api api = new Api(stack.httpUrl());
        final Api.Reply reply = api.send(HttpRequest.newBuilder(URI.create(api.url("/api/v1/openapi.yaml"))).GET().build());
        assertThat(reply.status()).isEqualTo(200);
        final Map<String, Object> doc = new Yaml().load(reply.raw().body());
        assertThat(doc.get("openapi")).isEqualTo("3.0.3");
        final Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");

        final Set<String> documented = new HashSet<>();
        paths.forEach((path, methods) -> methods.keySet().forEach(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + path)));

        final Router router = stack.context().getBean(Router.class);
        final Set<String> served = new HashSet<>();
        router.uriRoutes().forEach(route -> {
            final String template = route.getUriMatchTemplate().toString();
            // Micronaut adds a HEAD route for every GET by itself
            if (template.startsWith("/api/v1/teams") && !"HEAD".equals(route.getHttpMethod().name())) {
                served.add(route.getHttpMethod().name() + " " + template);
            }
        });
        assertThat(served).as("team routes served (left) vs documented").containsExactlyInAnyOrderElementsOf(documented);
    }
}
