package chat.analytics.activity;

/** Root exception of the analytics module: permanent (the job stops), with the state needed to diagnose. */
public final class AnalyticsException extends RuntimeException {
    public AnalyticsException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
