package io.opsagent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.all;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.mapping;
import static java.util.stream.Collectors.toCollection;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.AbstractClassesTransformer;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The package layering that the README's architecture section describes, checked on the compiled
 * main classes. From the bottom: the shared helpers in {@code io.opsagent} itself, {@code config},
 * {@code db}, then {@code trust} and {@code platform} (neither uses the other), {@code queue},
 * {@code notify}, {@code incident}, {@code agent}, {@code action}, {@code api}, {@code ui}, {@code worker}
 * (the composition root), {@code eval} and {@code cli}. A package may use the packages below it and
 * never one above, so there is no cycle between top-level packages; a new top-level package fails
 * the layering until it is given its place here.
 */
@AnalyzeClasses(packages = "io.opsagent", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  /** More top-level classes than this in one package and it should be split by concern. */
  static final int MAX_CLASSES_PER_PACKAGE = 15;

  /**
   * Packages allowed past {@link #MAX_CLASSES_PER_PACKAGE}: package name → why it is still one concern.
   * Empty: no package needs it today; splitting is the better answer.
   */
  static final Map<String, String> LARGER_PACKAGES = Map.of(
      "io.opsagent.platform", "the platform's objects, their repositories and the inventory reconcile share"
          + " transaction-scoped writes (Handle-level inserts and soft deletes, the write lock that keeps names"
          + " unique) that stay package-private; 17 classes",
      "io.opsagent.eval", "the harness and the loopback endpoints that answer its cases' tools are one"
          + " concern, package-private to each other; 16 classes");

  @ArchTest
  static final ArchRule eachPackageUsesOnlyThePackagesBelowIt = layeredArchitecture()
      .consideringOnlyDependenciesInLayers()
      .ensureAllClassesAreContainedInArchitecture()
      .layer("shared").definedBy("io.opsagent")
      .layer("config").definedBy("io.opsagent.config..")
      .layer("db").definedBy("io.opsagent.db..")
      .layer("trust").definedBy("io.opsagent.trust..")
      .layer("platform").definedBy("io.opsagent.platform..")
      .layer("queue").definedBy("io.opsagent.queue..")
      .layer("notify").definedBy("io.opsagent.notify..")
      .layer("incident").definedBy("io.opsagent.incident..")
      .layer("agent").definedBy("io.opsagent.agent..")
      .layer("action").definedBy("io.opsagent.action..")
      .layer("api").definedBy("io.opsagent.api..")
      .layer("ui").definedBy("io.opsagent.ui..")
      .layer("worker").definedBy("io.opsagent.worker..")
      .layer("eval").definedBy("io.opsagent.eval..")
      .layer("cli").definedBy("io.opsagent.cli..")
      .whereLayer("shared").mayNotAccessAnyLayer()
      .whereLayer("config").mayOnlyAccessLayers("shared")
      .whereLayer("db").mayOnlyAccessLayers("shared", "config")
      .whereLayer("trust").mayOnlyAccessLayers("shared", "config", "db")
      .whereLayer("platform").mayOnlyAccessLayers("shared", "config", "db")
      .whereLayer("queue").mayOnlyAccessLayers("shared", "config", "db", "trust", "platform")
      .whereLayer("notify").mayOnlyAccessLayers("shared", "config", "db", "trust", "platform", "queue")
      .whereLayer("incident").mayOnlyAccessLayers("shared", "config", "db", "trust", "platform", "queue",
          "notify")
      .whereLayer("agent").mayOnlyAccessLayers("shared", "config", "db", "trust", "platform", "queue",
          "notify", "incident")
      .whereLayer("action").mayOnlyAccessLayers("shared", "config", "db", "trust", "platform", "queue",
          "notify", "incident", "agent")
      .whereLayer("api").mayOnlyAccessLayers("shared", "config", "db", "trust", "platform", "queue",
          "notify", "incident", "agent", "action")
      .whereLayer("ui").mayOnlyAccessLayers("shared", "config", "db", "trust", "platform", "queue",
          "notify", "incident", "agent", "action", "api")
      .whereLayer("worker").mayOnlyAccessLayers("shared", "config", "db", "trust", "platform", "queue",
          "notify", "incident", "agent", "action", "api", "ui")
      .whereLayer("eval").mayOnlyAccessLayers("shared", "config", "db", "trust", "platform", "queue",
          "notify", "incident", "agent", "action", "api", "ui", "worker")
      .whereLayer("cli").mayOnlyAccessLayers("shared", "config", "db", "trust", "platform", "queue",
          "notify", "incident", "agent", "action", "api", "ui", "worker", "eval")
      .because("a package builds only on the packages below it (README, Architecture): storage and values at "
          + "the bottom, the agent and its features in the middle, the HTTP API and dashboard above them, "
          + "the composition root worker/Root and the commands on top; move a type to the package that owns "
          + "it rather than reaching up");

  @ArchTest
  static final ArchRule topLevelPackagesAreFreeOfCycles = slices().matching("io.opsagent.(*)..")
      .should().beFreeOfCycles()
      .because("each top-level package must be readable, testable and replaceable without the packages "
          + "that use it; a cycle means a type sits in the wrong package");

  @ArchTest
  static final ArchRule noPackageHoldsMoreThanFifteenClasses = all(packages())
      .should(holdAtMost(MAX_CLASSES_PER_PACKAGE))
      .because("a package past ~15 classes holds more than one concern and should be split by concern "
          + "(nested classes do not count)");

  /** A package of main code with the names of its top-level classes. */
  record PackageOfClasses(String name, TreeSet<String> classes) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static AbstractClassesTransformer<PackageOfClasses> packages() {
    return new AbstractClassesTransformer<>("packages of io.opsagent") {
      @Override
      public Iterable<PackageOfClasses> doTransform(JavaClasses classes) {
        Map<String, TreeSet<String>> byPackage = classes.stream()
            .filter(JavaClass::isTopLevelClass)
            .filter(c -> !c.getSimpleName().equals("package-info"))
            .collect(groupingBy(JavaClass::getPackageName, TreeMap::new,
                mapping(JavaClass::getSimpleName, toCollection(TreeSet::new))));
        return byPackage.entrySet().stream().map(e -> new PackageOfClasses(e.getKey(), e.getValue())).toList();
      }
    };
  }

  private static ArchCondition<PackageOfClasses> holdAtMost(int max) {
    return new ArchCondition<>("hold at most " + max + " top-level classes") {
      @Override
      public void check(PackageOfClasses p, ConditionEvents events) {
        if (p.classes().size() > max && !LARGER_PACKAGES.containsKey(p.name())) {
          events.add(SimpleConditionEvent.violated(p, "package " + p.name() + " holds " + p.classes().size()
              + " top-level classes (at most " + max + "; split it, or name it in LARGER_PACKAGES with why): "
              + String.join(", ", p.classes())));
        }
      }
    };
  }
}
