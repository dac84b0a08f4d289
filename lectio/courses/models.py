from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "code"]

    def __str__(self) -> str:
        return self.name


class Campus(models.Model):
    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("campuses")

    def __str__(self) -> str:
        return self.name


class CourseStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("Active")
    INACTIVE = "INACTIVE", _("Inactive")


class Course(models.Model):
    code = models.CharField(max_length=100)
    section = models.CharField(max_length=100, default="", blank=True)
    name = models.CharField(max_length=300)
    academic_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    processing_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    terms = models.ManyToManyField(Term, blank=True, related_name="courses")
    year = models.PositiveIntegerField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    participants = models.PositiveIntegerField(default=0)
    weekly_hours = models.PositiveIntegerField(default=0)
    searchable_ids = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    # The name a loader gave the list created with the course (READING_LIST_NAME).
    reading_list_name = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=16, choices=CourseStatus.choices, default=CourseStatus.ACTIVE
    )
    submit_lists_by = models.DateField(null=True, blank=True)
    no_list_expected = models.BooleanField(default=False)
    rolled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campuses = models.ManyToManyField(Campus, through="CourseCampus", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code", "section"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "section"], name="course_code_section_uniq"
            )
        ]
        indexes = [
            # The courses that expect a list by a date, in the order the library's
            # lists-not-sent report shows them: its page reads the first ones and
            # stops, and its counts by department read the index alone.
            models.Index(
                fields=["submit_lists_by", "code", "section", "academic_department"],
                condition=models.Q(
                    submit_lists_by__isnull=False, no_list_expected=False
                ),
                name="course_lists_due",
            )
        ]

    def __str__(self) -> str:
        label = f"{self.code}-{self.section}" if self.section else self.code
        return f"{label} {self.name}"

    @property
    def label(self) -> str:
        return f"{self.code}-{self.section}" if self.section else self.code


class CourseCampus(models.Model):
    # No index of its own: the unique (course, campus) index leads with it.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, db_index=False)
    campus = models.ForeignKey(Campus, on_delete=models.PROTECT)
    participants = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "campus"], name="course_campus_uniq"
            )
        ]


class CourseRole(models.TextChoices):
    STUDENT = "student", _("Student")
    INSTRUCTOR = "instructor", _("Instructor")
    TEACHING_ASSISTANT = "ta", _("Teaching assistant")


class EnrolmentSource(models.TextChoices):
    """Where an enrolment came from. A roster sync removes only the enrolments an
    LMS made, never those of the student information system."""

    OTHER = "", _("Student information system, API or by hand")
    LMS = "lms", _("Learning platform (launch or roster)")


class Enrolment(models.Model):
    # Neither key has an index of its own: the unique (user, course) index and the
    # (course, role) index lead with them, and every index costs the loaders a write.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolments",
        db_index=False,
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrolments", db_index=False
    )
    role = models.CharField(
        max_length=16, choices=CourseRole.choices, default=CourseRole.STUDENT
    )
    # A database default too: the loaders insert enrolments in plain SQL.
    source = models.CharField(
        max_length=8,
        choices=EnrolmentSource.choices,
        default=EnrolmentSource.OTHER,
        db_default=EnrolmentSource.OTHER,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="enrolment_user_course_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["course", "role"], name="enrolment_course_role"),
            # Who teaches, and what: the course search's instructors~ reads only
            # these rows (a fifth of all enrolments), never every user.
            models.Index(
                fields=["user", "course"],
                condition=models.Q(role="instructor"),
                name="enrolment_teaching",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_id} as {self.role}"

    @property
    def teaches(self) -> bool:
        return self.role in (CourseRole.INSTRUCTOR, CourseRole.TEACHING_ASSISTANT)
