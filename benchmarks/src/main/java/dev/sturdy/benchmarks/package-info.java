/**
 * JMH benchmarks and fault-scenario simulations of sturdy against raw HttpClient 5, Resilience4j and
 * Failsafe; see {@code benchmarks/README.md} for the commands and the recorded results.
 */
package dev.sturdy.benchmarks;
