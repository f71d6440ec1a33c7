package chat.search;

import io.micronaut.runtime.Micronaut;

/**
 * Runs the search-indexer alone as a Micronaut application. Configuration comes from
 * {@code application-search.properties} (the {@code search} environment), system properties and
 * environment variables, e.g.
 *
 * <pre>{@code
 * CHAT_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 CHAT_SEARCH_INDEX_DIR=/var/lib/chat/search \
 *   CHAT_SEARCH_PARTITIONS=0-31 CHAT_SEARCH_ROUTES=32-63=http://search-1:8084 java -cp ... chat.search.SearchMain
 * }</pre>
 */
public final class SearchMain {
    private SearchMain() {
    }

    public static void main(final String[] args) {
        Micronaut.build(args).mainClass(SearchMain.class).defaultEnvironments("search").start();
    }
}
