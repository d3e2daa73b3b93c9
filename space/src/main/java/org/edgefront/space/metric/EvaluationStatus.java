package org.edgefront.space.metric;

/** Outcome of evaluating one candidate. A FAILED evaluation is data: counted, kept out of the front. */
public enum EvaluationStatus { OK, FAILED }
