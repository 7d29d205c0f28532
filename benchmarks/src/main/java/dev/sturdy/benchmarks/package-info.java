/**
 * JMH benchmarks and fault-scenario simulations of sturdy against raw HttpClient 5, Resilience4j and
 * Failsafe. The suite arrives with the benchmarks issue; this module already builds the JMH uber-jar.
 */
package dev.sturdy.benchmarks;
