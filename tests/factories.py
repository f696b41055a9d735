"""factory_boy factories for the project's models."""

from datetime import timedelta

import factory
from django.utils import timezone

from newsroom.models import Appeal, AppealAmount, Article, Author, Section, Tag
from subscriptions.pledges import Frequency


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")
    description = "Stories from this part of town."
    position = factory.Sequence(lambda n: n)


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Reporter Number{n}")
    slug = factory.Sequence(lambda n: f"reporter-{n}")
    bio = "Covers the town hall and the harbour."
    role = "Reporter"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article with one author; use the traits for other states."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Harbour story number {n}")
    slug = factory.Sequence(lambda n: f"harbour-story-{n}")
    standfirst = "What happened, and why it matters to the town."
    body = "<p>The first paragraph of the story.</p><p>The second paragraph.</p>"
    section = factory.SubFactory(SectionFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        self.authors.set(extracted if extracted is not None else [AuthorFactory()])

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appeal

    name = factory.Sequence(lambda n: f"Appeal {n}")
    heading = "Before you go: one small thing"
    body = "Our reporting is paid for by readers.\n\nPlease join them."
    is_live = True
    default_frequency = Frequency.MONTH


class AppealAmountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppealAmount

    appeal = factory.SubFactory(AppealFactory)
    currency = "eur"
    frequency = Frequency.MONTH
    amount = 500
    position = 0


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "subscriptions.Supporter"

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    name = factory.Sequence(lambda n: f"Reader Number{n}")


class ContributionFactory(factory.django.DjangoModelFactory):
    """An active monthly plan of €5 with a Visa that is valid for years."""

    class Meta:
        model = "subscriptions.Contribution"

    supporter = factory.SubFactory(SupporterFactory)
    amount = 500
    currency = "eur"
    frequency = "month"
    status = "active"
    stripe_subscription_id = factory.Sequence(lambda n: f"sub_test_{n}")
    stripe_customer_id = factory.Sequence(lambda n: f"cus_test_{n}")
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    current_period_end = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    card_brand = "visa"
    card_last4 = "4242"
    card_exp_month = 12
    card_exp_year = factory.LazyFunction(lambda: timezone.now().year + 3)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "subscriptions.Payment"

    contribution = factory.SubFactory(ContributionFactory)
    supporter = factory.LazyAttribute(lambda payment: payment.contribution.supporter)
    stripe_charge_id = factory.Sequence(lambda n: f"ch_test_{n}")
    stripe_invoice_id = factory.Sequence(lambda n: f"in_test_{n}")
    amount = 500
    currency = "eur"
    settled_amount = factory.SelfAttribute("amount")
    settlement_currency = factory.SelfAttribute("currency")
    fee = 33
    net = factory.LazyAttribute(lambda payment: payment.settled_amount - payment.fee)
    paid_at = factory.LazyFunction(timezone.now)
