/**
 * sturdy for Apache HttpClient 5: installs a {@code dev.sturdy.ResiliencePolicy} into HttpClient 5
 * classic clients. Only {@code dev.sturdy.httpclient5} is API.
 */
module dev.sturdy.httpclient5 {
    requires transitive dev.sturdy.core;
    requires transitive org.apache.httpcomponents.client5.httpclient5;
    requires transitive org.apache.httpcomponents.core5.httpcore5;
    requires org.slf4j;

    exports dev.sturdy.httpclient5;
}
