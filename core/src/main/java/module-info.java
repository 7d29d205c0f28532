/**
 * sturdy core: immutable resiliency policy values ({@code dev.sturdy}) and the events they produce
 * ({@code dev.sturdy.event}). The engine in {@code dev.sturdy.internal.*} is shared with sturdy's
 * adapters only and is not API.
 */
module dev.sturdy.core {
    requires org.slf4j;

    exports dev.sturdy;
    exports dev.sturdy.event;
    exports dev.sturdy.internal.retry to dev.sturdy.httpclient5;
    exports dev.sturdy.internal.runtime to dev.sturdy.httpclient5;
    exports dev.sturdy.internal.ejection to dev.sturdy.httpclient5;
}
