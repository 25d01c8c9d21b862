package io.opsagent.api;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A text value the API stores: not empty, at most {@link #max} characters, no NUL nor unpaired
 * surrogate, and (unless {@link #multiLine}: a message, where tabs and line breaks are allowed) no
 * control character at all. Null is valid (absent); {@code @NotNull} makes a field required.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = Line.Check.class)
public @interface Line {
  int max();

  boolean multiLine() default false;

  String message() default "is not valid text";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** The check, with the problem it finds as the message. */
  final class Check implements ConstraintValidator<Line, String> {
    private int max;
    private boolean multiLine;

    @Override
    public void initialize(Line line) {
      max = line.max();
      multiLine = line.multiLine();
    }

    @Override
    public boolean isValid(String s, ConstraintValidatorContext ctx) {
      if (s == null) {
        return true;
      }
      String problem = s.isEmpty() ? "must not be empty"
          : s.length() > max ? "must be at most " + max + " characters"
          : Text.problem(s, multiLine).orElse(null);
      if (problem == null) {
        return true;
      }
      ctx.disableDefaultConstraintViolation();
      ctx.buildConstraintViolationWithTemplate(problem).addConstraintViolation();
      return false;
    }
  }
}
