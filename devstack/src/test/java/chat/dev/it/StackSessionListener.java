package chat.dev.it;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the shared test stack once, after every test of the JVM ran. */
public final class StackSessionListener implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(final LauncherSession session) {
        TestStack.stop();
    }
}
