"""Files that mail apps read to configure themselves (Thunderbird autoconfig, Apple profiles).
"""
