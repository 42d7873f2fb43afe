from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, worded the way the rest of Trellis speaks."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Work e-mail"
        self.fields["login"].widget.attrs["placeholder"] = "you@company.com"
        self.fields["password"].widget.attrs["placeholder"] = ""
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in on this device"
