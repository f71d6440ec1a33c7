package chat.common.auth;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.AnnotatedRequestArgumentBinder;
import jakarta.inject.Singleton;

import java.util.Optional;

/** Fills {@link Caller} parameters from {@link Identity}. */
@Singleton
final class CallerBinder implements AnnotatedRequestArgumentBinder<Caller, String> {
    @Override
    public Class<Caller> getAnnotationType() {
        return Caller.class;
    }

    @Override
    public BindingResult<String> bind(final ArgumentConversionContext<String> context, final HttpRequest<?> source) {
        final Optional<String> user = Identity.userOf(source);
        return () -> user;
    }
}
